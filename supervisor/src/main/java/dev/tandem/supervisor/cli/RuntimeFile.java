package dev.tandem.supervisor.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.protocol.Json;
import dev.tandem.supervisor.config.RuntimeDirectory;
import dev.tandem.supervisor.log.Log;
import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.Map;

/**
 * The file through which a notebook finds the running daemon ({@code tandem.connect()} with no
 * URL): {@code $XDG_RUNTIME_DIR/tandem/daemon.json}, else {@code
 * $XDG_CACHE_HOME/tandem/daemon.json} (by default {@code ~/.cache/tandem/daemon.json}), the same
 * order the Python client reads them.
 *
 * <pre>{"url": "http://127.0.0.1:8765/mcp", "pid": 4120, "started": "2025-06-01T09:30:00Z",
 *  "config": "/home/ada/tools/tandem.toml", "version": "0.1.0"}</pre>
 *
 * Private to the user (directory 0700, file 0600): the URL, and the {@code "token"} when the daemon
 * generated it ({@link HttpToken}), are how to reach tools that may act on the user's behalf.
 * Written atomically (a temporary file renamed over it), so a reader never sees half a file.
 * Removed on a clean shutdown, but only if it still names this process: a second daemon started
 * since then owns it now. The last daemon started wins.
 */
final class RuntimeFile {

  private final Path file;
  private final long pid = ProcessHandle.current().pid();

  private RuntimeFile(Path file) {
    this.file = file;
  }

  /** Where the file goes for this environment: the runtime directory first, else the cache. */
  static Path location(Map<String, String> env) {
    return RuntimeDirectory.of(env).resolve("daemon.json");
  }

  /** Writes the file; a daemon that cannot (a read-only home) serves anyway and says so. */
  static RuntimeFile write(String url, Path config, String version, String generatedToken) {
    RuntimeFile runtime = new RuntimeFile(location(System.getenv()));
    ObjectNode body =
        Json.object()
            .put("url", url)
            .put("pid", runtime.pid)
            .put("started", Instant.now().toString())
            .put("config", config.toString())
            .put("version", version);
    // Only a generated token, which is on disk in this directory anyway; a configured one may
    // come from a secret store and is not copied to a file.
    if (generatedToken != null) body.put("token", generatedToken);
    try {
      runtime.store(body);
      Log.info(
          "runtime file " + runtime.file + " names this daemon: tandem.connect() finds it there");
      return runtime;
    } catch (IOException | UnsupportedOperationException e) {
      Log.warn(
          "could not write the runtime file "
              + runtime.file
              + " ("
              + e
              + "); notebooks must pass the URL to "
              + "tandem.connect(url) or set TANDEM_URL");
      return null;
    }
  }

  private void store(ObjectNode body) throws IOException {
    Path dir = file.getParent();
    Files.createDirectories(
        dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    // createDirectories leaves an existing directory as it was; ours must not be readable by
    // others.
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
    Path tmp =
        Files.createTempFile(
            dir,
            "daemon.",
            ".json.tmp",
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    try {
      Files.write(tmp, Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsBytes(body));
      try {
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
      }
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  /** Removes the file if it still names this process. */
  void remove() {
    try {
      JsonNode now = Json.MAPPER.readTree(Files.readAllBytes(file));
      if (now.path("pid").asLong() != pid) {
        Log.debug(
            "runtime file " + file + " now names pid " + now.path("pid").asLong() + "; leaving it");
        return;
      }
      Files.deleteIfExists(file);
    } catch (IOException e) {
      Log.debug("runtime file " + file + " not removed: " + e.getMessage());
    }
  }

  Path path() {
    return file;
  }
}
