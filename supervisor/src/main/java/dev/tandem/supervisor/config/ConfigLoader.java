package dev.tandem.supervisor.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.toml.TomlMapper;
import dev.tandem.supervisor.log.Secrets;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Reads {@code tandem.toml} into a {@link TandemConfig}. The tree is walked by hand rather than
 * bound to classes so that every mistake (an unknown key, a wrong type, a missing module) gets a
 * message naming the file, the table and the key, which is what a person fixing it needs.
 */
public final class ConfigLoader {

  static final Set<String> SERVER_KEYS =
      Set.of("python", "page_size", "max_frame_bytes", "shutdown_grace_ms", "watch");
  static final Set<String> POOL_KEYS =
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
  static final Set<String> HTTP_KEYS =
      Set.of(
          "listen",
          "token",
          "allowed_origins",
          "allowed_hosts",
          "max_body_bytes",
          "keepalive_ms",
          "stream_buffer_bytes",
          "session_idle_ms",
          "idle_timeout_ms",
          "read_timeout_ms",
          "max_connections");
  static final Set<String> TRACE_KEYS = Set.of("enabled", "dir", "max_bytes", "files");
  private static final Pattern ORIGIN = Pattern.compile("https?://[^/?#\\s]+");
  private static final Pattern POOL_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]*");

  private final Path tandemHome;
  private final Overrides overrides;

  /** The overrides applied to the file being loaded, by {@code where.key}, for error messages. */
  private Map<String, Overrides.Setting> applied = Map.of();

  /** Loads with the overrides of this process's environment ({@code TANDEM_*}). */
  public ConfigLoader(Path tandemHome) {
    this(tandemHome, Overrides.fromEnvironment());
  }

  /**
   * {@code envToken}: the value of {@code TANDEM_HTTP_TOKEN}, which wins over {@code [http] token}.
   */
  public ConfigLoader(Path tandemHome, String envToken) {
    this(
        tandemHome,
        Overrides.fromEnvironment(
            envToken == null ? Map.of() : Map.of(HttpConfig.TOKEN_ENV, envToken)));
  }

  public ConfigLoader(Path tandemHome, Overrides overrides) {
    this.tandemHome = tandemHome;
    this.overrides = overrides;
  }

  public TandemConfig load(Path file) {
    Path source = file.toAbsolutePath().normalize();
    JsonNode root;
    try {
      root = new TomlMapper().readTree(Files.readAllBytes(source));
    } catch (NoSuchFileException e) {
      throw new ConfigException(
          source + ": no such file; pass an existing tandem.toml to --config");
    } catch (AccessDeniedException e) {
      throw new ConfigException(
          source + ": cannot read it (permission denied); make it readable by this user");
    } catch (IOException e) {
      if (Files.isDirectory(source)) {
        throw new ConfigException(
            source + ": is a directory, not a file; pass the tandem.toml inside it to --config");
      }
      String at =
          e instanceof com.fasterxml.jackson.core.JsonProcessingException j
                  && j.getLocation() != null
                  && j.getLocation().getLineNr() > 0
              ? " (line "
                  + j.getLocation().getLineNr()
                  + ", column "
                  + j.getLocation().getColumnNr()
                  + ")"
              : "";
      String what =
          e instanceof com.fasterxml.jackson.core.JsonProcessingException j
              ? j.getOriginalMessage()
              : e.getMessage();
      throw new ConfigException(source + ": not valid TOML" + at + ": " + firstLine(what), e);
    }
    Path dir = source.getParent();
    if (!(root instanceof ObjectNode tree))
      throw new ConfigException(source + ": not a TOML document");
    List<String> poolNames = new ArrayList<>();
    for (JsonNode p : root.path("pool")) {
      if (p.path("name").isTextual()) poolNames.add(p.path("name").asText());
    }
    List<Overrides.Setting> settings = overrides.settings(source, poolNames);
    overrides.applyTo(tree, settings);
    Map<String, Overrides.Setting> byKey = new LinkedHashMap<>();
    for (Overrides.Setting s : settings) byKey.put(s.where() + "." + s.key(), s);
    applied = byKey;
    checkKeys(source, "the top level", root, Set.of("server", "pool", "http", "trace"));
    ServerConfig server = server(source, root.path("server"));
    HttpConfig http = http(source, root.path("http"));
    TraceConfig trace = trace(source, dir, root.path("trace"));
    JsonNode pools = root.get("pool");
    if (pools == null || !pools.isArray() || pools.isEmpty()) {
      throw new ConfigException(
          source + ": no [[pool]] table; add one with name and modules (or command)");
    }
    List<PoolConfig> out = new ArrayList<>();
    Set<String> names = new HashSet<>();
    for (int i = 0; i < pools.size(); i++) {
      PoolConfig pool = pool(source, dir, i, pools.get(i));
      if (!names.add(pool.name())) {
        throw new ConfigException(
            source + ": two pools are named \"" + pool.name() + "\"; pool names must be unique");
      }
      out.add(pool);
    }
    registerSecrets(http, out);
    return new TandemConfig(source, server, List.copyOf(out), http, trace, List.copyOf(settings));
  }

  /**
   * The config's secrets join the log's redaction as soon as they are known, whichever command
   * loaded it: the HTTP token, and pool env values whose names say they are credentials.
   */
  private static void registerSecrets(HttpConfig http, List<PoolConfig> pools) {
    Secrets.add("http.token", http.token());
    for (PoolConfig pool : pools) {
      pool.env()
          .forEach(
              (name, value) -> {
                if (Secrets.isSecretName(name)) Secrets.add("$" + name, value);
              });
    }
  }

  private TraceConfig trace(Path source, Path dir, JsonNode node) {
    TraceConfig d = TraceConfig.defaults();
    if (node.isMissingNode()) return d;
    String where = "[trace]";
    if (!node.isObject()) throw new ConfigException(source + ": " + where + " must be a table");
    checkKeys(source, where, node, TRACE_KEYS);
    Boolean enabled = node.has("enabled") ? bool(source, where, node, "enabled", false) : null;
    Path traceDir = null;
    if (node.has("dir")) {
      // Relative to the config file, like a pool's path; "~/" is the home directory.
      String raw =
          TraceConfig.expandHome(string(source, where, "dir", node.get("dir")), System.getenv());
      traceDir = dir.resolve(raw).normalize();
      if (Files.exists(traceDir) && !Files.isDirectory(traceDir)) {
        throw new ConfigException(
            source
                + ": "
                + where
                + ": dir \""
                + raw
                + "\" is not a directory (resolved to "
                + traceDir
                + ")");
      }
    }
    int maxBytes = intIn(source, where, node, "max_bytes", d.maxBytes(), 1024, Integer.MAX_VALUE);
    // tandem.traces.load() looks for at most 100 files.
    int files = intIn(source, where, node, "files", d.files(), 1, 100);
    return new TraceConfig(enabled, traceDir, maxBytes, files);
  }

  private HttpConfig http(Path source, JsonNode node) {
    HttpConfig defaults = HttpConfig.defaults(null);
    if (node.isMissingNode()) return defaults;
    String where = "[http]";
    if (!node.isObject()) throw new ConfigException(source + ": " + where + " must be a table");
    checkKeys(source, where, node, HTTP_KEYS);
    ListenAddress listen = new ListenAddress(defaults.host(), defaults.port());
    if (node.has("listen")) {
      try {
        listen = ListenAddress.parse(string(source, where, "listen", node.get("listen")));
      } catch (IllegalArgumentException e) {
        throw new ConfigException(source + ": " + where + ": listen " + e.getMessage());
      }
    }
    // "" is the explicit opt-out (an open server); left out, serve --http generates a token.
    String token =
        !node.has("token")
            ? null
            : node.get("token").isTextual() && node.get("token").asText().isEmpty()
                ? ""
                : string(source, where, "token", node.get("token"));
    List<String> origins = strings(source, where, "allowed_origins", node.get("allowed_origins"));
    for (String origin : origins) {
      if (!ORIGIN.matcher(origin).matches()) {
        throw new ConfigException(
            source
                + ": "
                + where
                + ": allowed_origins item \""
                + origin
                + "\" is not an origin; write scheme://host[:port], like \"https://app.example.com\"");
      }
    }
    List<String> hosts = strings(source, where, "allowed_hosts", node.get("allowed_hosts"));
    int maxBody =
        intIn(source, where, node, "max_body_bytes", defaults.maxBodyBytes(), 1024, 1 << 30);
    int keepaliveMs =
        intIn(
            source,
            where,
            node,
            "keepalive_ms",
            (int) defaults.keepalive().toMillis(),
            100,
            3_600_000);
    int streamBuffer =
        intIn(
            source,
            where,
            node,
            "stream_buffer_bytes",
            defaults.streamBufferBytes(),
            4096,
            1 << 30);
    int idleMs =
        intIn(
            source,
            where,
            node,
            "session_idle_ms",
            (int) defaults.sessionIdle().toMillis(),
            1000,
            Integer.MAX_VALUE);
    int connectionIdleMs =
        intIn(
            source,
            where,
            node,
            "idle_timeout_ms",
            (int) defaults.idleTimeout().toMillis(),
            100,
            Integer.MAX_VALUE);
    int readMs =
        intIn(
            source,
            where,
            node,
            "read_timeout_ms",
            (int) defaults.readTimeout().toMillis(),
            100,
            3_600_000);
    int maxConnections =
        intIn(source, where, node, "max_connections", defaults.maxConnections(), 1, 1_000_000);
    return new HttpConfig(
        listen.host(),
        listen.port(),
        token,
        origins,
        hosts,
        maxBody,
        Duration.ofMillis(keepaliveMs),
        streamBuffer,
        Duration.ofMillis(idleMs),
        Duration.ofMillis(connectionIdleMs),
        Duration.ofMillis(readMs),
        maxConnections);
  }

  private ServerConfig server(Path source, JsonNode node) {
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
    if (!node.isObject()) throw new ConfigException(source + ": " + where + " must be a table");
    checkKeys(source, where, node, SERVER_KEYS);
    String python = node.has("python") ? string(source, where, "python", node.get("python")) : null;
    int pageSize =
        intIn(source, where, node, "page_size", ServerConfig.DEFAULT_PAGE_SIZE, 1, 10_000);
    int maxFrame =
        intIn(
            source,
            where,
            node,
            "max_frame_bytes",
            ServerConfig.DEFAULT_MAX_FRAME_BYTES,
            1024,
            1 << 30);
    int graceMs =
        intIn(
            source,
            where,
            node,
            "shutdown_grace_ms",
            (int) ServerConfig.DEFAULT_SHUTDOWN_GRACE.toMillis(),
            0,
            3_600_000);
    boolean watch = bool(source, where, node, "watch", false);
    return new ServerConfig(
        python, pageSize, maxFrame, Duration.ofMillis(graceMs), tandemHome, watch);
  }

  private PoolConfig pool(Path source, Path dir, int index, JsonNode node) {
    String where = "[[pool]] #" + (index + 1);
    if (!node.isObject()) throw new ConfigException(source + ": " + where + " must be a table");
    // Named as soon as it has a name: "pool \"notes\"" is easier to find than "#3".
    checkKeys(
        source,
        node.path("name").isTextual() ? "pool \"" + node.get("name").asText() + "\"" : where,
        node,
        POOL_KEYS);
    if (!node.has("name")) {
      throw new ConfigException(source + ": " + where + " has no name; add name = \"...\"");
    }
    String name = string(source, where, "name", node.get("name"));
    if (!POOL_NAME.matcher(name).matches()) {
      throw new ConfigException(
          source
              + ": "
              + where
              + ": name \""
              + name
              + "\" must be letters, digits, '_', '.' or '-', starting with a letter or digit");
    }
    where = "pool \"" + name + "\"";
    List<String> modules = strings(source, where, "modules", node.get("modules"));
    List<String> command = strings(source, where, "command", node.get("command"));
    if (modules.isEmpty() == command.isEmpty()) {
      throw new ConfigException(
          source
              + ": "
              + where
              + " needs exactly one of modules = [\"...\"] (Python tools) or command = [\"...\"] (any stdio MCP server)");
    }
    List<Path> paths = new ArrayList<>();
    JsonNode path = node.get("path");
    List<String> rawPaths =
        path == null
            ? List.of()
            : path.isTextual() ? List.of(path.asText()) : strings(source, where, "path", path);
    for (String p : rawPaths) {
      Path resolved = dir.resolve(p).normalize();
      if (!Files.isDirectory(resolved)) {
        throw new ConfigException(
            source
                + ": "
                + where
                + ": path \""
                + p
                + "\" is not a directory (resolved to "
                + resolved
                + ")");
      }
      paths.add(resolved);
    }
    int replicas = intIn(source, where, node, "replicas", 1, 1, 64);
    Map<String, String> env = new LinkedHashMap<>();
    JsonNode envNode = node.get("env");
    if (envNode != null) {
      if (!envNode.isObject()) {
        throw new ConfigException(source + ": " + where + ": env must be a table of strings");
      }
      for (Iterator<Map.Entry<String, JsonNode>> it = envNode.fields(); it.hasNext(); ) {
        var e = it.next();
        env.put(e.getKey(), string(source, where, "env." + e.getKey(), e.getValue()));
      }
    }
    List<String> passEnv = strings(source, where, "pass_env", node.get("pass_env"));
    for (String p : passEnv) {
      if (p.indexOf('*') != p.lastIndexOf('*')
          || (p.contains("*") && !p.startsWith("*") && !p.endsWith("*"))) {
        throw new ConfigException(
            source
                + ": "
                + where
                + ": pass_env item \""
                + p
                + "\" is not a variable name or pattern; write NAME, PREFIX*, *SUFFIX or *");
      }
    }
    return new PoolConfig(
        name,
        modules,
        List.copyOf(paths),
        command,
        replicas,
        Map.copyOf(env),
        dir,
        supervision(source, where, node),
        passEnv);
  }

  private Supervision supervision(Path source, String where, JsonNode node) {
    Supervision d = Supervision.defaults();
    return new Supervision(
        intIn(source, where, node, "max_concurrency", d.maxConcurrency(), 1, 10_000),
        intIn(source, where, node, "queue", d.queue(), 0, 1_000_000),
        millis(source, where, node, "call_timeout_ms", d.callTimeout(), 1, DAY_MS),
        millis(source, where, node, "start_timeout_ms", d.startTimeout(), 100, DAY_MS),
        millis(source, where, node, "ping_interval_ms", d.pingInterval(), 50, DAY_MS),
        millis(source, where, node, "ping_timeout_ms", d.pingTimeout(), 50, DAY_MS),
        intIn(source, where, node, "max_restarts", d.maxRestarts(), 0, 1_000_000),
        millis(source, where, node, "restart_window_ms", d.restartWindow(), 100, DAY_MS),
        millis(source, where, node, "half_open_after_ms", d.halfOpenAfter(), 100, DAY_MS),
        intIn(source, where, node, "spare", d.spare(), 0, 16),
        intIn(source, where, node, "max_calls", (int) d.maxCalls(), 0, Integer.MAX_VALUE),
        intIn(source, where, node, "max_rss_mb", (int) d.maxRssMb(), 0, 1 << 20));
  }

  private Duration millis(
      Path source, String where, JsonNode node, String key, Duration dflt, int min, int max) {
    return Duration.ofMillis(intIn(source, where, node, key, (int) dflt.toMillis(), min, max));
  }

  private static void checkKeys(Path source, String where, JsonNode node, Set<String> allowed) {
    for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
      String key = it.next();
      if (!allowed.contains(key)) {
        throw new ConfigException(
            source
                + ": "
                + where
                + ": unknown key \""
                + key
                + "\""
                + suggestion(key, allowed)
                + "; known keys are "
                + String.join(", ", allowed.stream().sorted().toList()));
      }
    }
  }

  private String string(Path source, String where, String key, JsonNode value) {
    if (!value.isTextual() || value.asText().isBlank()) {
      throw new ConfigException(
          at(source, where, key) + " must be a non-empty string, got " + value);
    }
    return value.asText();
  }

  private List<String> strings(Path source, String where, String key, JsonNode value) {
    if (value == null) return List.of();
    if (!value.isArray()) {
      throw new ConfigException(
          at(source, where, key) + " must be a list of strings, like [\"a\", \"b\"]; got " + value);
    }
    List<String> out = new ArrayList<>();
    for (JsonNode item : value) out.add(string(source, where, key + " item", item));
    return List.copyOf(out);
  }

  private static boolean bool(Path source, String where, JsonNode node, String key, boolean dflt) {
    JsonNode value = node.get(key);
    if (value == null) return dflt;
    if (!value.isBoolean()) {
      throw new ConfigException(
          source + ": " + where + ": " + key + " must be true or false, got " + value);
    }
    return value.booleanValue();
  }

  private int intIn(
      Path source, String where, JsonNode node, String key, int dflt, int min, int max) {
    JsonNode value = node.get(key);
    if (value == null) return dflt;
    if (!value.isIntegralNumber()
        || !value.canConvertToInt()
        || value.intValue() < min
        || value.intValue() > max) {
      throw new ConfigException(
          at(source, where, key)
              + " must be an integer from "
              + min
              + " to "
              + max
              + ", got "
              + value);
    }
    return value.intValue();
  }

  /**
   * Where a value came from, as an error names it: the file and table, or the variable or flag that
   * overrode it (the file would be the wrong place to look for the mistake).
   */
  private String at(Path source, String where, String key) {
    String base = key.endsWith(" item") ? key.substring(0, key.length() - 5) : key;
    Overrides.Setting s = applied.get(where + "." + base);
    if (s == null) return source + ": " + where + ": " + key;
    return s.origin() + " (overriding " + where + " " + base + " of " + source + "): " + key;
  }

  /** "; did you mean \"replicas\"?" for a key two edits from a known one, or a part of it. */
  static String suggestion(String key, Set<String> known) {
    String best = null;
    int bestDistance = 3;
    for (String k : known) {
      int d = key.length() >= 4 && (k.startsWith(key) || key.startsWith(k)) ? 1 : distance(key, k);
      if (d < bestDistance) {
        best = k;
        bestDistance = d;
      }
    }
    return best == null ? "" : "; did you mean \"" + best + "\"?";
  }

  private static int distance(String a, String b) {
    int[] prev = new int[b.length() + 1];
    int[] cur = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) prev[j] = j;
    for (int i = 1; i <= a.length(); i++) {
      cur[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
      }
      int[] t = prev;
      prev = cur;
      cur = t;
    }
    return prev[b.length()];
  }

  private static String firstLine(String s) {
    if (s == null) return "";
    int nl = s.indexOf('\n');
    return nl < 0 ? s : s.substring(0, nl);
  }
}
