package dev.tandem.supervisor.config;

import java.nio.file.Path;
import java.util.List;

/**
 * A whole {@code tandem.toml}: where it came from, the server settings, its pools, HTTP, traces and
 * tasks, and which values {@code TANDEM_*} variables or {@code --set} flags put over the file's.
 */
public record TandemConfig(
    Path source,
    ServerConfig server,
    List<PoolConfig> pools,
    HttpConfig http,
    TraceConfig trace,
    TasksConfig tasks,
    List<Overrides.Setting> overridden) {

  public TandemConfig(Path source, ServerConfig server, List<PoolConfig> pools, HttpConfig http) {
    this(source, server, pools, http, TraceConfig.defaults(), TasksConfig.defaults(), List.of());
  }
}
