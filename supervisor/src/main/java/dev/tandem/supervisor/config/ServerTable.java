package dev.tandem.supervisor.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;

/** Reads the {@code [server]} table: settings of the daemon as a whole. */
final class ServerTable {

  static final Set<String> KEYS =
      Set.of("python", "page_size", "max_frame_bytes", "shutdown_grace_ms", "watch");

  private ServerTable() {}

  static ServerConfig read(ConfigFields f, JsonNode node, Path tandemHome) {
    if (node.isMissingNode()) {
      return new ServerConfig(
          null,
          ServerConfig.DEFAULT_PAGE_SIZE,
          ServerConfig.DEFAULT_MAX_FRAME_BYTES,
          ServerConfig.DEFAULT_SHUTDOWN_GRACE,
          tandemHome,
          false);
    }
    String where = "[server]";
    f.requireTable(where, node);
    f.checkKeys(where, node, KEYS);
    String python = node.has("python") ? f.string(where, "python", node.get("python")) : null;
    int pageSize = f.intIn(where, node, "page_size", ServerConfig.DEFAULT_PAGE_SIZE, 1, 10_000);
    int maxFrame =
        f.intIn(
            where, node, "max_frame_bytes", ServerConfig.DEFAULT_MAX_FRAME_BYTES, 1024, 1 << 30);
    int graceMs =
        f.intIn(
            where,
            node,
            "shutdown_grace_ms",
            (int) ServerConfig.DEFAULT_SHUTDOWN_GRACE.toMillis(),
            0,
            3_600_000);
    boolean watch = f.bool(where, node, "watch", false);
    return new ServerConfig(
        python, pageSize, maxFrame, Duration.ofMillis(graceMs), tandemHome, watch);
  }
}
