package dev.tandem.supervisor.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;

/** Reads the {@code [trace]} table: whether and where calls are recorded for the dev loop. */
final class TraceTable {

  static final Set<String> KEYS = Set.of("enabled", "dir", "max_bytes", "files");

  private TraceTable() {}

  /** {@code dir}: the config file's directory, which a relative trace dir is resolved against. */
  static TraceConfig read(ConfigFields f, Path dir, JsonNode node) {
    TraceConfig d = TraceConfig.defaults();
    if (node.isMissingNode()) return d;
    String where = "[trace]";
    f.requireTable(where, node);
    f.checkKeys(where, node, KEYS);
    Boolean enabled = node.has("enabled") ? f.bool(where, node, "enabled", false) : null;
    Path traceDir = null;
    if (node.has("dir")) {
      // Relative to the config file, like a pool's path; "~/" is the home directory.
      String raw = TraceConfig.expandHome(f.string(where, "dir", node.get("dir")), System.getenv());
      traceDir = dir.resolve(raw).normalize();
      if (Files.exists(traceDir) && !Files.isDirectory(traceDir)) {
        throw f.badValue(where, "dir", raw, "is not a directory (resolved to " + traceDir + ")");
      }
    }
    int maxBytes = f.intIn(where, node, "max_bytes", d.maxBytes(), 1024, Integer.MAX_VALUE);
    // tandem.traces.load() looks for at most 100 files.
    int files = f.intIn(where, node, "files", d.files(), 1, 100);
    return new TraceConfig(enabled, traceDir, maxBytes, files);
  }
}
