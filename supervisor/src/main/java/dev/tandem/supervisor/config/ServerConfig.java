package dev.tandem.supervisor.config;

import java.nio.file.Path;
import java.time.Duration;

/**
 * The daemon-wide settings of the {@code [server]} table, each with a default that serves. {@code
 * watch}: reload a pool when a file under its {@code path} changes (for development).
 */
public record ServerConfig(
    String python,
    int pageSize,
    int maxFrameBytes,
    Duration shutdownGrace,
    Path tandemHome,
    boolean watch) {

  public static final int DEFAULT_PAGE_SIZE = 100;
  public static final int DEFAULT_MAX_FRAME_BYTES = 4 * 1024 * 1024;
  public static final Duration DEFAULT_SHUTDOWN_GRACE = Duration.ofSeconds(10);
}
