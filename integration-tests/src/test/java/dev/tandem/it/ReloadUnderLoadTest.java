package dev.tandem.it;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * tandem/reload while 100 calls are in flight: the prompt file a module reads at import is edited,
 * and the reload replaces every worker one at a time. Every call gets exactly one answer (none is
 * dropped or failed), the calls already running finish on the old code, later calls see the new
 * prompt, and no worker process from before is left.
 */
class ReloadUnderLoadTest {

  /** Reads its prompt once, at import: only a new process sees an edit. */
  static final String PROMPTED =
      """
      import asyncio, os
      from pathlib import Path
      from tandem import tool

      PROMPT = (Path(__file__).parent / "prompt.txt").read_text().strip()

      @tool(read_only=True)
      async def answer(seconds: float = 0.0) -> str:
          \"\"\"Answers with the prompt its worker imported.\"\"\"
          await asyncio.sleep(seconds)
          return f"{PROMPT} pid={os.getpid()}"
      """;

  /** {@code DIR/tools} holding {@link #PROMPTED} as {@code prompted.py} and its "prompt v1". */
  static Path promptedTools(Path dir) throws IOException {
    Path tools = Files.createDirectories(dir.resolve("tools"));
    Files.writeString(tools.resolve("prompted.py"), PROMPTED);
    Files.writeString(tools.resolve("prompt.txt"), "prompt v1");
    return tools;
  }

  @Test
  void reloadWith100CallsInFlightAnswersEachOnceAndLaterCallsSeeTheNewPrompt(@TempDir Path dir)
      throws Exception {
    Path tools = promptedTools(dir);
    Path config =
        Tandem.config(
            dir,
            """
        [[pool]]
        name = "prompted"
        modules = ["prompted"]
        path = "tools"
        replicas = 2
        spare = 1
        """);
    try (DaemonProcess daemon = DaemonProcess.serve(config)) {
      daemon.initialize();
      Answers answers = new Answers(daemon);
      JsonNode warm = answers.call("warm", "answer", Answers.args());
      assertEquals("prompt v1", Answers.text(warm).split(" pid=")[0], warm.toString());
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> answers.pool("prompted").path("workers").size() == 3);
      Set<Long> before = pids(answers.pool("prompted"));

      List<String> inFlight = new ArrayList<>();
      for (int i = 0; i < 100; i++) {
        answers.send("old-" + i, "answer", Answers.args().put("seconds", 1.5));
        inFlight.add("old-" + i);
      }
      Files.writeString(tools.resolve("prompt.txt"), "prompt v2, edited");
      daemon.send(
          DaemonProcess.JSON
              .createObjectNode()
              .put("jsonrpc", "2.0")
              .put("id", "reload")
              .put("method", "tandem/reload"));
      JsonNode reload = answers.await("reload", Duration.ofSeconds(60));
      assertTrue(reload.has("result"), reload.toString());
      JsonNode report = reload.path("result").path("pools").path(0);
      assertEquals("prompted", report.path("name").asText(), reload.toString());
      assertEquals(2, report.path("generation").asInt(), reload.toString());
      assertEquals(1, report.path("tools").path("before").asInt(), reload.toString());
      assertEquals(1, report.path("tools").path("after").asInt(), reload.toString());
      Set<Long> reportedOld = new HashSet<>();
      report.path("oldPids").forEach(p -> reportedOld.add(p.asLong()));
      assertEquals(before, reportedOld, reload.toString());

      List<String> later = new ArrayList<>();
      for (int i = 0; i < 100; i++) {
        answers.send("new-" + i, "answer", Answers.args());
        later.add("new-" + i);
      }
      answers.awaitAll(inFlight, Duration.ofSeconds(60));
      answers.awaitAll(later, Duration.ofSeconds(60));
      for (String id : inFlight) {
        assertEquals(1, answers.all(id).size(), id + " answered " + answers.all(id));
        JsonNode a = answers.all(id).get(0);
        assertFalse(Answers.isError(a), a.toString());
        assertEquals(
            "prompt v1",
            Answers.text(a).split(" pid=")[0],
            "a call running before the reload ends on the old code: " + a);
      }
      Set<Long> newPidsAnswering = new HashSet<>();
      for (String id : later) {
        assertEquals(1, answers.all(id).size(), id + " answered " + answers.all(id));
        JsonNode a = answers.all(id).get(0);
        assertFalse(Answers.isError(a), a.toString());
        assertEquals("prompt v2, edited", Answers.text(a).split(" pid=")[0], a.toString());
        newPidsAnswering.add(Long.parseLong(Answers.text(a).split(" pid=")[1]));
      }
      assertTrue(
          newPidsAnswering.stream().noneMatch(before::contains),
          "later calls ran on new workers: " + newPidsAnswering);

      await()
          .atMost(Duration.ofSeconds(30))
          .untilAsserted(
              () -> {
                JsonNode pool = answers.pool("prompted");
                assertEquals(3, pool.path("workers").size(), pool.toString());
                for (JsonNode w : pool.path("workers"))
                  assertEquals(2, w.path("generation").asInt(), pool.toString());
                Set<Long> now = pids(pool);
                assertTrue(
                    now.stream().noneMatch(before::contains),
                    "no old worker in the status: " + pool);
                for (long pid : before) {
                  assertFalse(
                      ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false),
                      "old worker pid " + pid + " is gone");
                }
                assertEquals(
                    0, pool.path("restarts").asInt(), "a reload is not a failure: " + pool);
              });
    }
  }

  static Set<Long> pids(JsonNode pool) {
    Set<Long> pids = new HashSet<>();
    for (JsonNode w : pool.path("workers")) pids.add(w.path("pid").asLong());
    return pids;
  }
}
