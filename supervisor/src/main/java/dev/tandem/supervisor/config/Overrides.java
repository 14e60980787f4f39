package dev.tandem.supervisor.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.protocol.Json;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Settings that win over {@code tandem.toml}: {@code TANDEM_*} environment variables, then {@code
 * --set} flags, each naming one key. The mapping is mechanical, so a key's variable can be guessed
 * from the table and the key:
 *
 * <pre>
 *   [server] KEY             TANDEM_KEY              --set server.KEY=VALUE
 *   [http] KEY               TANDEM_HTTP_KEY         --set http.KEY=VALUE
 *   [tasks] KEY              TANDEM_TASKS_KEY        --set tasks.KEY=VALUE
 *   [[pool]] KEY of NAME     TANDEM_POOL_NAME_KEY    --set pool.NAME.KEY=VALUE
 * </pre>
 *
 * (KEY and NAME upper-cased, every character but letters and digits turned into {@code _}: {@code
 * TANDEM_SHUTDOWN_GRACE_MS}, {@code TANDEM_HTTP_LISTEN}, {@code TANDEM_TASKS_STORE}, {@code
 * TANDEM_POOL_EXAMPLES_REPLICAS}.) A list ({@code allowed_origins}, {@code modules}, ...) is
 * comma-separated or a JSON array; integers are decimal. Overrides are applied to the parsed file
 * before it is checked, so a bad value gets the same precise message as in the file, naming the
 * variable or flag it came from.
 */
public final class Overrides {

  /** Keys whose values are text; the lists; every other overridable key is an integer. */
  private static final Set<String> TEXT_KEYS =
      Set.of("python", "listen", "token", "state_key_file", "store");

  private static final Set<String> LIST_KEYS =
      Set.of("allowed_origins", "allowed_hosts", "modules", "command", "path", "pass_env");

  /** Not overridable: a pool's name is its identity; its env is a table. */
  private static final Set<String> FIXED_POOL_KEYS = Set.of("name", "env");

  /** One override: where it lands, its raw text, and who set it (a variable name or a flag). */
  public record Setting(String table, String pool, String key, String value, String origin) {
    /** The {@code where} a config error names for this setting's table. */
    String where() {
      return pool == null ? "[" + table + "]" : "pool \"" + pool + "\"";
    }
  }

  private final Map<String, String> env;
  private final List<Setting> flags;

  private Overrides(Map<String, String> env, List<Setting> flags) {
    this.env = env;
    this.flags = flags;
  }

  public static Overrides none() {
    return new Overrides(Map.of(), List.of());
  }

  /** The overrides this process's environment sets. */
  public static Overrides fromEnvironment() {
    return fromEnvironment(System.getenv());
  }

  public static Overrides fromEnvironment(Map<String, String> env) {
    Map<String, String> tandem = new HashMap<>();
    env.forEach(
        (k, v) -> {
          if (k.startsWith("TANDEM_") && v != null && !v.isEmpty()) tandem.put(k, v);
        });
    return new Overrides(Map.copyOf(tandem), List.of());
  }

  /**
   * Adds a {@code --set TABLE.KEY=VALUE} ({@code pool.NAME.KEY=VALUE} for a pool); later flags win.
   * IllegalArgumentException says what a valid one looks like.
   */
  public Overrides with(String assignment) {
    int eq = assignment.indexOf('=');
    String path = eq < 0 ? "" : assignment.substring(0, eq).trim();
    String value = eq < 0 ? "" : assignment.substring(eq + 1);
    String[] parts = path.split("\\.");
    String hint =
        "; write --set server.KEY=VALUE, --set http.KEY=VALUE, --set tasks.KEY=VALUE or"
            + " --set pool.NAME.KEY=VALUE"
            + " (e.g. --set server.shutdown_grace_ms=2000)";
    Setting setting;
    if (eq < 0 || parts.length < 2) {
      throw new IllegalArgumentException(
          "--set \"" + assignment + "\" is not TABLE.KEY=VALUE" + hint);
    }
    String origin = "--set " + path;
    switch (parts[0]) {
      case "server", "http", "tasks" -> {
        if (parts.length != 2)
          throw new IllegalArgumentException("--set \"" + assignment + "\": too many dots" + hint);
        Set<String> known = tableKeys(parts[0]);
        if (!known.contains(parts[1]))
          throw unknownKey(origin, "[" + parts[0] + "]", parts[1], known);
        setting = new Setting(parts[0], null, parts[1], value, origin);
      }
      case "pool" -> {
        if (parts.length != 3) {
          throw new IllegalArgumentException(
              "--set \"" + assignment + "\": a pool setting is pool.NAME.KEY=VALUE" + hint);
        }
        Set<String> known = poolKeys();
        if (!known.contains(parts[2])) throw unknownKey(origin, "[[pool]]", parts[2], known);
        setting = new Setting("pool", parts[1], parts[2], value, origin);
      }
      default ->
          throw new IllegalArgumentException(
              "--set \"" + assignment + "\": unknown table \"" + parts[0] + "\"" + hint);
    }
    List<Setting> more = new ArrayList<>(flags);
    more.add(setting);
    return new Overrides(env, List.copyOf(more));
  }

  /** The environment variable that overrides a key ({@code pool} null but for [[pool]]). */
  public static String variable(String table, String pool, String key) {
    return switch (table) {
      case "server" -> "TANDEM_" + upper(key);
      case "http" -> "TANDEM_HTTP_" + upper(key);
      case "tasks" -> "TANDEM_TASKS_" + upper(key);
      default -> "TANDEM_POOL_" + upper(pool) + "_" + upper(key);
    };
  }

  private static String upper(String s) {
    return s.toUpperCase(Locale.ROOT).replaceAll("[^A-Z0-9]", "_");
  }

  /**
   * Every setting that applies to a file whose pools have these names, in the order they win: the
   * environment first, then the flags. A {@code TANDEM_POOL_*} variable or flag naming no pool is
   * refused, since it is almost always a misspelt name that would silently do nothing.
   */
  List<Setting> settings(Path source, List<String> poolNames) {
    Map<String, Setting> out = new LinkedHashMap<>();
    Set<String> used = new java.util.HashSet<>();
    for (String key : ServerTable.KEYS) fromEnv("server", null, key, out, used);
    for (String key : HttpTable.KEYS) fromEnv("http", null, key, out, used);
    for (String key : TasksTable.KEYS) fromEnv("tasks", null, key, out, used);
    for (String pool : poolNames) {
      for (String key : poolKeys()) fromEnv("pool", pool, key, out, used);
    }
    for (String name : env.keySet()) {
      if (name.startsWith("TANDEM_POOL_") && !used.contains(name) && !name.equals("TANDEM_POOL")) {
        throw new ConfigException(
            name
                + " names no pool key of "
                + source
                + " (its pools: "
                + String.join(", ", poolNames)
                + "); the variable for a pool key is TANDEM_POOL_<NAME>_<KEY>, like "
                + variable("pool", poolNames.isEmpty() ? "NAME" : poolNames.get(0), "replicas")
                + ", or unset it");
      }
    }
    for (Setting s : flags) {
      if (s.pool() != null && !poolNames.contains(s.pool())) {
        throw new ConfigException(
            s.origin()
                + ": "
                + source
                + " has no pool named \""
                + s.pool()
                + "\" (its pools: "
                + String.join(", ", poolNames)
                + ")");
      }
      out.put(s.where() + "." + s.key(), s);
    }
    return List.copyOf(out.values());
  }

  private void fromEnv(
      String table, String pool, String key, Map<String, Setting> out, Set<String> used) {
    String name = variable(table, pool, key);
    String value = env.get(name);
    if (value == null) return;
    used.add(name);
    Setting s = new Setting(table, pool, key, value, name);
    out.put(s.where() + "." + key, s);
  }

  /** Writes the settings into the parsed file (creating tables it lacks), typed by key. */
  void applyTo(ObjectNode root, List<Setting> settings) {
    for (Setting s : settings) {
      ObjectNode table;
      if (s.pool() == null) {
        JsonNode existing = root.get(s.table());
        table = existing instanceof ObjectNode o ? o : root.putObject(s.table());
      } else {
        table = null;
        for (JsonNode pool : root.path("pool")) {
          if (pool instanceof ObjectNode o && s.pool().equals(o.path("name").asText(null)))
            table = o;
        }
        if (table == null) continue; // a pool listed twice or renamed: the loader reports it
      }
      table.set(s.key(), typed(s));
    }
  }

  private static JsonNode typed(Setting s) {
    JsonNodeFactory f = JsonNodeFactory.instance;
    String v = s.value().trim();
    if (TEXT_KEYS.contains(s.key())) return f.textNode(s.value());
    if (LIST_KEYS.contains(s.key())) {
      if (v.startsWith("[")) {
        try {
          return Json.MAPPER.readTree(v);
        } catch (Exception e) {
          return f.textNode(s.value()); // the loader says a list of strings is wanted
        }
      }
      ArrayNode list = f.arrayNode();
      for (String item : v.split(",")) {
        if (!item.isBlank()) list.add(item.trim());
      }
      return list;
    }
    try {
      return f.numberNode(Long.parseLong(v));
    } catch (NumberFormatException e) {
      return f.textNode(s.value()); // the loader says an integer is wanted, naming s.origin()
    }
  }

  private static Set<String> tableKeys(String table) {
    return switch (table) {
      case "server" -> ServerTable.KEYS;
      case "http" -> HttpTable.KEYS;
      default -> TasksTable.KEYS;
    };
  }

  private static Set<String> poolKeys() {
    Set<String> keys = new java.util.TreeSet<>(PoolTable.KEYS);
    keys.removeAll(FIXED_POOL_KEYS);
    return keys;
  }

  private static IllegalArgumentException unknownKey(
      String origin, String table, String key, Set<String> known) {
    return new IllegalArgumentException(
        origin
            + ": "
            + table
            + " has no key \""
            + key
            + "\""
            + ConfigFields.suggestion(key, known)
            + "; its keys are "
            + String.join(", ", new java.util.TreeSet<>(known)));
  }
}
