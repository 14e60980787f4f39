package dev.tandem.supervisor.config;

import java.nio.file.Path;
import java.util.List;

/**
 * A whole {@code tandem.toml}: where it came from, the server settings, its pools and HTTP, and
 * which values {@code TANDEM_*} variables or {@code --set} flags put over the file's.
 */
public record TandemConfig(
    Path source, ServerConfig server, List<PoolConfig> pools, HttpConfig http, List<Overrides.Setting> overridden) {

  public TandemConfig(Path source, ServerConfig server, List<PoolConfig> pools, HttpConfig http) {
    this(source, server, pools, http, List.of());
  }
}
