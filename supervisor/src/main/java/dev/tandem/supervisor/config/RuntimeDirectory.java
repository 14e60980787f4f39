package dev.tandem.supervisor.config;

import java.nio.file.Path;
import java.util.Map;

/**
 * The per-user directory for what a running daemon leaves for others to find (the runtime file
 * notebooks read, the process groups of its children): {@code $XDG_RUNTIME_DIR/tandem}, else {@code
 * $XDG_CACHE_HOME/tandem} (by default {@code ~/.cache/tandem}), the order the Python client reads
 * it in too. Kept 0700 by whoever writes into it.
 */
public final class RuntimeDirectory {

  private RuntimeDirectory() {}

  public static Path of(Map<String, String> env) {
    String runtime = env.get("XDG_RUNTIME_DIR");
    if (runtime != null && !runtime.isBlank() && Path.of(runtime).isAbsolute()) {
      return Path.of(runtime, "tandem");
    }
    String cache = env.get("XDG_CACHE_HOME");
    Path base =
        cache != null && !cache.isBlank() && Path.of(cache).isAbsolute()
            ? Path.of(cache)
            : Path.of(System.getProperty("user.home"), ".cache");
    return base.resolve("tandem");
  }
}
