package dev.tandem.supervisor.config;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The {@code [trace]} table: whether Python workers record every {@code tools/call} (its arguments,
 * result and model calls) to {@code DIR/calls.jsonl}, for the notebook to replay. Traces hold what
 * users sent to the tools and what came back, so they are off in production and on in the dev loop
 * ({@code serve --watch} or {@code [server] watch = true}) unless this table says otherwise.
 *
 * @param enabled null when the file does not say: then on when watching, off otherwise
 * @param dir null for the default, {@code $XDG_CACHE_HOME/tandem/traces}
 * @param maxBytes the size at which {@code calls.jsonl} is rotated
 * @param files how many files are kept, the live one included
 */
public record TraceConfig(Boolean enabled, Path dir, int maxBytes, int files) {

  public static final int DEFAULT_MAX_BYTES = 10 * 1024 * 1024;
  public static final int DEFAULT_FILES = 5;

  /** The worker's own variables, which the daemon sets for each worker it starts. */
  public static final String DIR_ENV = "TANDEM_TRACE_DIR";

  public static final String MAX_BYTES_ENV = "TANDEM_TRACE_MAX_BYTES";
  public static final String FILES_ENV = "TANDEM_TRACE_FILES";

  /** What the worker reads as "off" in TANDEM_TRACE_DIR (recorder._OFF). */
  private static final Set<String> OFF = Set.of("", "0", "off", "false", "no", "none");

  public static TraceConfig defaults() {
    return new TraceConfig(null, null, DEFAULT_MAX_BYTES, DEFAULT_FILES);
  }

  /**
   * What every worker is told, and why. The first that says wins: {@code TANDEM_TRACE_DIR} in the
   * daemon's environment (a directory, or {@code off}), then {@code [trace] enabled}, then the dev
   * loop: on when {@code watching}. A pool's own {@code env} is applied after, so a pool can still
   * trace elsewhere or not at all.
   */
  public Traces decide(boolean watching, Map<String, String> environment) {
    String fromEnv = environment.get(DIR_ENV);
    Path at;
    String because;
    if (fromEnv != null) {
      if (OFF.contains(fromEnv.strip().toLowerCase(Locale.ROOT)))
        return Traces.off(DIR_ENV + "=" + fromEnv);
      at = Path.of(expandHome(fromEnv.strip(), environment)).toAbsolutePath().normalize();
      because = DIR_ENV;
    } else if (enabled != null) {
      if (!enabled) return Traces.off("[trace] enabled = false");
      at = dir != null ? dir : defaultDirectory(environment);
      because = "[trace] enabled";
    } else if (watching) {
      at = dir != null ? dir : defaultDirectory(environment);
      because = "dev loop";
    } else {
      return Traces.off(null);
    }
    Map<String, String> env = new LinkedHashMap<>();
    env.put(DIR_ENV, at.toString());
    // The environment's limits, if any, are inherited by the workers as they are.
    if (!environment.containsKey(MAX_BYTES_ENV)) env.put(MAX_BYTES_ENV, Integer.toString(maxBytes));
    if (!environment.containsKey(FILES_ENV)) env.put(FILES_ENV, Integer.toString(files));
    return new Traces(at, because, Map.copyOf(env));
  }

  /** Where traces go unless told: the XDG cache, as the Python readers also assume. */
  public static Path defaultDirectory(Map<String, String> environment) {
    String cache = environment.get("XDG_CACHE_HOME");
    if (cache == null || cache.isBlank()) cache = home(environment) + "/.cache";
    return Path.of(cache, "tandem", "traces").toAbsolutePath().normalize();
  }

  static String expandHome(String path, Map<String, String> environment) {
    if (path.equals("~")) return home(environment);
    if (path.startsWith("~/")) return home(environment) + path.substring(1);
    return path;
  }

  private static String home(Map<String, String> environment) {
    String home = environment.get("HOME");
    return home == null || home.isBlank() ? System.getProperty("user.home") : home;
  }

  /**
   * The decision: {@code dir} null when traces are off; {@code because} says what decided it (null
   * for the default, off); {@code workerEnv} is put into every worker's environment.
   */
  public record Traces(Path dir, String because, Map<String, String> workerEnv) {

    static Traces off(String because) {
      return new Traces(null, because, Map.of(DIR_ENV, "off"));
    }

    public boolean on() {
      return dir != null;
    }

    /** The line the daemon logs at start: "traces: off" or "traces: DIR (dev loop)". */
    public String summary() {
      String why = because == null ? "" : " (" + because + ")";
      return "traces: " + (on() ? dir.toString() : "off") + why;
    }
  }
}
