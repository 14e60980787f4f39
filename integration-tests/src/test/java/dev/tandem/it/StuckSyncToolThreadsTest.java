package dev.tandem.it;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Sync tools that time out keep their threads, since Python cannot stop one (issue 17, item 5).
 * Before, the pool freed the call's place at once and saw an idle worker whose 32 tool threads were
 * all stuck: every later sync call waited behind them until its own timeout. Now the worker reports
 * them, they count as load, and a worker whose threads stay stuck past ping_timeout_ms is replaced
 * while a spare takes its slot, as gunicorn replaces a worker past its timeout.
 */
class StuckSyncToolThreadsTest {

  static final String HANG =
      """
      import threading
      from tandem import tool

      @tool(blocking=True)
      def hang() -> str:
          \"\"\"Blocks its thread for ever, as a library call with no timeout does.\"\"\"
          threading.Event().wait()
          return "never"

      @tool(blocking=True, read_only=True)
      def quick(text: str) -> str:
          \"\"\"A sync tool that answers at once.\"\"\"
          return text
      """;

  @Test
  void aWorkerWhoseSyncThreadsAreStuckPastTheirTimeoutIsReplacedAndCallsSucceedAgain(
      @TempDir Path dir) throws Exception {
    Files.writeString(dir.resolve("hang.py"), HANG);
    Path config =
        Tandem.config(
            dir,
            """
        [[pool]]
        name = "hang"
        modules = ["hang"]
        path = "."
        replicas = 1
        spare = 1
        call_timeout_ms = 1000
        ping_interval_ms = 200
        ping_timeout_ms = 1000
        """);
    try (DaemonProcess daemon = DaemonProcess.serve(config)) {
      daemon.initialize();
      Answers answers = new Answers(daemon);
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> WorkerKilledMidCallTest.readyWorkers(answers.pool("hang")) == 2);
      long stuckPid = servingPid(answers.pool("hang"));

      // More than the worker's 32 tool threads: every one of them ends up stuck.
      List<String> ids = new ArrayList<>();
      for (int i = 0; i < 40; i++) {
        ids.add("hang-" + i);
        answers.send("hang-" + i, "hang", Answers.args());
      }
      answers.awaitAll(ids, Duration.ofSeconds(30));
      for (String id : ids) {
        assertEquals(1, answers.all(id).size(), id);
        assertTrue(
            Answers.text(answers.all(id).get(0)).contains("did not answer within 1000 ms"),
            Answers.text(answers.all(id).get(0)));
      }

      await()
          .atMost(Duration.ofSeconds(20))
          .pollInterval(Duration.ofMillis(100))
          .until(() -> ProcessHandle.of(stuckPid).map(p -> !p.isAlive()).orElse(true));
      long t0 = System.nanoTime();
      JsonNode quick = answers.call("quick", "quick", Answers.args().put("text", "served"));
      long quickMs = (System.nanoTime() - t0) / 1_000_000;
      assertFalse(Answers.isError(quick), Answers.text(quick));
      assertEquals("served", Answers.text(quick));
      assertTrue(
          quickMs < 1000,
          "a sync call took " + quickMs + " ms after the stuck worker was replaced");

      JsonNode pool = answers.pool("hang");
      assertEquals(0, pool.path("restarts").asLong(), "a replacement is not a crash: " + pool);
      assertTrue(servingPid(pool) != stuckPid, pool.toString());
      String log = String.join("\n", daemon.stderr());
      assertTrue(
          log.contains(
              "pid="
                  + stuckPid
                  + " replacing it: 32 tool thread(s) still run calls that were cancelled"),
          log);
    }
  }

  private static long servingPid(JsonNode pool) {
    for (JsonNode w : pool.path("workers")) {
      if (w.path("role").asText().equals("serving")) return w.path("pid").asLong();
    }
    return -1;
  }
}
