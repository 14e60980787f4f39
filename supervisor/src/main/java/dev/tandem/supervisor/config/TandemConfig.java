package dev.tandem.supervisor.config;

import java.nio.file.Path;
import java.util.List;

/** A whole {@code tandem.toml}: where it came from, the server settings, its pools and HTTP. */
public record TandemConfig(Path source, ServerConfig server, List<PoolConfig> pools, HttpConfig http) {}
