package dev.tandem.supervisor.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/** Reads one {@code [[pool]]} table: what a pool runs and how it is supervised. */
final class PoolTable {

  static final Set<String> KEYS =
      Set.of(
          "name",
          "modules",
          "path",
          "command",
          "replicas",
          "env",
          "pass_env",
          "max_concurrency",
          "queue",
          "call_timeout_ms",
          "start_timeout_ms",
          "ping_interval_ms",
          "ping_timeout_ms",
          "max_restarts",
          "restart_window_ms",
          "half_open_after_ms",
          "spare",
          "max_calls",
          "max_rss_mb");
  private static final int DAY_MS = 86_400_000;
  private static final Pattern POOL_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]*");

  private PoolTable() {}

  /**
   * {@code dir}: the config file's directory, which paths are resolved against; {@code index}: the
   * table's place in the file, which names it until it has a name.
   */
  static PoolConfig read(ConfigFields f, Path dir, int index, JsonNode node) {
    String where = "[[pool]] #" + (index + 1);
    f.requireTable(where, node);
    // Named as soon as it has a name: "pool \"notes\"" is easier to find than "#3".
    f.checkKeys(
        node.path("name").isTextual() ? "pool \"" + node.get("name").asText() + "\"" : where,
        node,
        KEYS);
    if (!node.has("name")) {
      throw new ConfigException(f.source + ": " + where + " has no name; add name = \"...\"");
    }
    String name =
        f.matching(
            where,
            "name",
            f.string(where, "name", node.get("name")),
            POOL_NAME,
            "must be letters, digits, '_', '.' or '-', starting with a letter or digit");
    where = "pool \"" + name + "\"";
    List<String> modules = f.strings(where, "modules", node.get("modules"));
    List<String> command = f.strings(where, "command", node.get("command"));
    if (modules.isEmpty() == command.isEmpty()) {
      throw new ConfigException(
          f.source
              + ": "
              + where
              + " needs exactly one of modules = [\"...\"] (Python tools) or command = [\"...\"] (any stdio MCP server)");
    }
    List<Path> paths = paths(f, dir, where, node.get("path"));
    int replicas = f.intIn(where, node, "replicas", 1, 1, 64);
    Map<String, String> env = env(f, where, node.get("env"));
    List<String> passEnv = passEnv(f, where, node.get("pass_env"));
    return new PoolConfig(
        name,
        modules,
        List.copyOf(paths),
        command,
        replicas,
        Map.copyOf(env),
        dir,
        supervision(f, where, node),
        passEnv);
  }

  private static List<Path> paths(ConfigFields f, Path dir, String where, JsonNode path) {
    List<Path> paths = new ArrayList<>();
    List<String> rawPaths =
        path == null
            ? List.of()
            : path.isTextual() ? List.of(path.asText()) : f.strings(where, "path", path);
    for (String p : rawPaths) {
      Path resolved = dir.resolve(p).normalize();
      if (!Files.isDirectory(resolved)) {
        throw f.badValue(where, "path", p, "is not a directory (resolved to " + resolved + ")");
      }
      paths.add(resolved);
    }
    return paths;
  }

  private static Map<String, String> env(ConfigFields f, String where, JsonNode envNode) {
    Map<String, String> env = new LinkedHashMap<>();
    if (envNode != null) {
      if (!envNode.isObject()) {
        throw f.error(where, "env must be a table of strings");
      }
      for (Iterator<Map.Entry<String, JsonNode>> it = envNode.fields(); it.hasNext(); ) {
        var e = it.next();
        env.put(e.getKey(), f.string(where, "env." + e.getKey(), e.getValue()));
      }
    }
    return env;
  }

  private static List<String> passEnv(ConfigFields f, String where, JsonNode node) {
    List<String> passEnv = f.strings(where, "pass_env", node);
    for (String p : passEnv) {
      if (p.indexOf('*') != p.lastIndexOf('*')
          || (p.contains("*") && !p.startsWith("*") && !p.endsWith("*"))) {
        throw f.badValue(
            where,
            "pass_env item",
            p,
            "is not a variable name or pattern; write NAME, PREFIX*, *SUFFIX or *");
      }
    }
    return passEnv;
  }

  private static Supervision supervision(ConfigFields f, String where, JsonNode node) {
    Supervision d = Supervision.defaults();
    return new Supervision(
        f.intIn(where, node, "max_concurrency", d.maxConcurrency(), 1, 10_000),
        f.intIn(where, node, "queue", d.queue(), 0, 1_000_000),
        f.millis(where, node, "call_timeout_ms", d.callTimeout(), 1, DAY_MS),
        f.millis(where, node, "start_timeout_ms", d.startTimeout(), 100, DAY_MS),
        f.millis(where, node, "ping_interval_ms", d.pingInterval(), 50, DAY_MS),
        f.millis(where, node, "ping_timeout_ms", d.pingTimeout(), 50, DAY_MS),
        f.intIn(where, node, "max_restarts", d.maxRestarts(), 0, 1_000_000),
        f.millis(where, node, "restart_window_ms", d.restartWindow(), 100, DAY_MS),
        f.millis(where, node, "half_open_after_ms", d.halfOpenAfter(), 100, DAY_MS),
        f.intIn(where, node, "spare", d.spare(), 0, 16),
        f.intIn(where, node, "max_calls", (int) d.maxCalls(), 0, Integer.MAX_VALUE),
        f.intIn(where, node, "max_rss_mb", (int) d.maxRssMb(), 0, 1 << 20));
  }
}
