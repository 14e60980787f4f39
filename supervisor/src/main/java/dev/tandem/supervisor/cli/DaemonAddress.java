package dev.tandem.supervisor.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tandem.protocol.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * How a command finds a running daemon serving HTTP (RuntimeFile writes it): {@code daemon.json}
 * ({@code {"url": ..., "pid": ..., "token": ...}}, the token when the daemon generated it) in
 * {@code $XDG_RUNTIME_DIR/tandem/}, else {@code ~/.cache/tandem/} (or {@code
 * $XDG_CACHE_HOME/tandem/}). The same places, in the same order, as the Python client's {@code
 * tandem.client.runtime_files()}.
 */
record DaemonAddress(Path path, String url, long pid, String token) {

  static List<Path> candidates(Map<String, String> env) {
    List<Path> out = new ArrayList<>();
    String runtime = env.get("XDG_RUNTIME_DIR");
    if (runtime != null && !runtime.isBlank()) out.add(Path.of(runtime, "tandem", "daemon.json"));
    String cache = env.get("XDG_CACHE_HOME");
    Path cacheDir =
        cache != null && !cache.isBlank()
            ? Path.of(cache)
            : HostConfigFile.home(env).resolve(".cache");
    out.add(cacheDir.resolve("tandem").resolve("daemon.json"));
    return out;
  }

  /** The first runtime file found, or null if there is none. */
  static DaemonAddress find(Map<String, String> env) {
    for (Path p : candidates(env)) {
      JsonNode data;
      try {
        data = Json.MAPPER.readTree(Files.readAllBytes(p));
      } catch (NoSuchFileException e) {
        continue;
      } catch (IOException e) {
        throw new Main.UsageException(
            "cannot read the daemon's runtime file "
                + p
                + ": "
                + e.getMessage()
                + "; remove it if no daemon is running");
      }
      if (data == null || !data.path("url").isTextual()) {
        throw new Main.UsageException(
            p + " has no \"url\" string; remove it, or pass the daemon's URL with --url");
      }
      String token = data.path("token").isTextual() ? data.get("token").asText() : null;
      return new DaemonAddress(p, data.get("url").asText(), data.path("pid").asLong(0), token);
    }
    return null;
  }

  boolean processAlive() {
    return pid <= 0 || ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
  }
}
