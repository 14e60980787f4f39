package dev.tandem.it;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Traces hold every tool's arguments and results: {@code tandem serve} with the bundled config
 * writes none, anywhere under the user's home or cache; the dev loop ({@code serve --watch})
 * records each call under {@code $XDG_CACHE_HOME/tandem/traces}. The daemon under test is given no
 * {@code TANDEM_TRACE_DIR} (make test-java exports one for the whole run), so its own defaults
 * decide.
 */
class TracesOptInTest {

  @Test
  void serveWithTheBundledConfigWritesNoTraceFile(@TempDir Path dir) throws Exception {
    Path home = Files.createDirectories(dir.resolve("home"));
    Path cache = Files.createDirectories(dir.resolve("cache"));
    try (DaemonProcess daemon =
        DaemonProcess.serve(Tandem.EXAMPLES, List.of(), userAt(home, cache))) {
      daemon.initialize();
      Answers answers = new Answers(daemon);
      for (int n = 1; n <= 5; n++) {
        JsonNode answer =
            answers.call("c" + n, "echo", Answers.args().put("text", "private input " + n));
        assertEquals("private input " + n, Answers.text(answer), answer.toString());
      }
      assertTrue(
          daemon.stderr().stream().anyMatch(l -> l.endsWith("traces: off")),
          String.join("\n", daemon.stderr()));
      // Stopped, so every worker has closed its trace writer: nothing is left to flush later.
      daemon.closeStdin();
      assertEquals(0, daemon.awaitExit(Duration.ofSeconds(30)), String.join("\n", daemon.stderr()));
    }
    assertEquals(List.of(), files(dir), "files written under the user's home and cache");
  }

  @Test
  void theDevLoopRecordsEachCall(@TempDir Path dir) throws Exception {
    Path home = Files.createDirectories(dir.resolve("home"));
    Path cache = Files.createDirectories(dir.resolve("cache"));
    Path traces = cache.resolve("tandem/traces");
    Path calls = traces.resolve("calls.jsonl");
    try (DaemonProcess daemon =
        DaemonProcess.serve(Tandem.EXAMPLES, List.of("--watch"), userAt(home, cache))) {
      daemon.initialize();
      Answers answers = new Answers(daemon);
      JsonNode answer = answers.call("c1", "echo", Answers.args().put("text", "dev loop input"));
      assertFalse(Answers.isError(answer), answer.toString());
      assertTrue(
          daemon.stderr().stream().anyMatch(l -> l.endsWith("traces: " + traces + " (dev loop)")),
          String.join("\n", daemon.stderr()));
      // Written by the worker's trace thread shortly after the answer, without a shutdown.
      await()
          .atMost(Duration.ofSeconds(30))
          .until(
              () ->
                  records(calls).stream()
                      .anyMatch(
                          r -> r.path("arguments").path("text").asText().equals("dev loop input")));
      JsonNode record = records(calls).getLast();
      assertEquals("echo", record.path("tool").asText(), record.toString());
      assertEquals("ok", record.path("outcome").asText(), record.toString());
      assertEquals(answer.get("result"), record.get("result"));
      assertEquals(
          "rw-------",
          java.nio.file.attribute.PosixFilePermissions.toString(
              Files.getPosixFilePermissions(calls)));
    }
  }

  /**
   * The daemon's environment with the user's home and cache in {@code dir}, and no trace setting.
   */
  private static Consumer<Map<String, String>> userAt(Path home, Path cache) {
    return env -> {
      env.remove("TANDEM_TRACE_DIR");
      env.remove("TANDEM_TRACE_MAX_BYTES");
      env.remove("TANDEM_TRACE_FILES");
      env.put("HOME", home.toString());
      env.put("XDG_CACHE_HOME", cache.toString());
    };
  }

  /**
   * The records in the file so far; a line still being written is skipped, as tandem.traces does.
   */
  private static List<JsonNode> records(Path file) {
    if (!Files.exists(file)) return List.of();
    List<JsonNode> out = new ArrayList<>();
    try {
      for (String line : Files.readAllLines(file)) {
        try {
          out.add(DaemonProcess.JSON.readTree(line));
        } catch (IOException e) {
          // cut short: the rest of it is on its way
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out;
  }

  private static List<Path> files(Path dir) throws IOException {
    try (Stream<Path> all = Files.walk(dir)) {
      return all.filter(Files::isRegularFile).toList();
    }
  }
}
