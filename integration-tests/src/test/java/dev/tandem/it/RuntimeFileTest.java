package dev.tandem.it;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * serve --http tells notebooks where it is: $XDG_RUNTIME_DIR/tandem/daemon.json (else the cache
 * directory), private to the user, naming its URL, pid, start time and config; removed when it
 * shuts down cleanly, unless another daemon has written its own since.
 */
class RuntimeFileTest {

  @Test
  void httpDaemonWritesAPrivateRuntimeFileAndRemovesItOnShutdown(@TempDir Path dir)
      throws Exception {
    Path runtime = Files.createDirectories(dir.resolve("run"));
    Path file = runtime.resolve("tandem/daemon.json");
    HttpDaemon daemon = HttpDaemon.serve(null, Map.of("XDG_RUNTIME_DIR", runtime.toString()));
    try (daemon) {
      await().atMost(Duration.ofSeconds(10)).until(() -> Files.exists(file));
      JsonNode json = DaemonProcess.JSON.readTree(file.toFile());
      assertEquals(daemon.mcp().toString(), json.path("url").asText(), json.toString());
      assertEquals(daemon.process().pid(), json.path("pid").asLong(), json.toString());
      assertEquals(Tandem.EXAMPLES.toString(), json.path("config").asText(), json.toString());
      assertTrue(
          Instant.parse(json.path("started").asText()).isBefore(Instant.now().plusSeconds(1)),
          json.toString());
      assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
      assertEquals(
          "rwx------",
          PosixFilePermissions.toString(Files.getPosixFilePermissions(file.getParent())));
      // Beside it may be the generated HTTP token and the workers' process-group ledger, but no
      // temporary copy of the runtime file.
      try (var listing = Files.list(file.getParent())) {
        assertEquals(
            List.of("daemon.json"),
            listing
                .map(p -> p.getFileName().toString())
                .filter(n -> n.startsWith("daemon"))
                .toList(),
            "no temporary file is left beside it");
      }
    }
    assertFalse(Files.exists(file), "a clean shutdown removes the runtime file");
  }

  @Test
  void runtimeFileOfAnotherDaemonIsLeftInPlace(@TempDir Path dir) throws Exception {
    Path runtime = Files.createDirectories(dir.resolve("run"));
    Path file = runtime.resolve("tandem/daemon.json");
    HttpDaemon daemon = HttpDaemon.serve(null, Map.of("XDG_RUNTIME_DIR", runtime.toString()));
    try (daemon) {
      await().atMost(Duration.ofSeconds(10)).until(() -> Files.exists(file));
      // A second daemon started since: the file is its now.
      Files.writeString(file, "{\"url\": \"http://127.0.0.1:1/mcp\", \"pid\": 1}");
    }
    assertTrue(
        Files.exists(file), "the newer daemon's runtime file survives the older one's shutdown");
  }
}
