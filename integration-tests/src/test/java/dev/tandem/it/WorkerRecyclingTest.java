package dev.tandem.it;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** max_calls recycles a worker: a spare takes its slot, no call fails, and it is not a restart. */
class WorkerRecyclingTest {

  @Test
  void workerPastMaxCallsIsRecycledWithoutFailingACall(@TempDir Path dir) throws Exception {
    Path config =
        Tandem.config(
            dir,
            Tandem.examplesPool("examples", 1)
                + """
        spare = 1
        max_calls = 5
        """);
    try (DaemonProcess daemon = DaemonProcess.serve(config)) {
      daemon.initialize();
      Answers answers = new Answers(daemon);
      for (int i = 0; i < 30; i++) {
        JsonNode a = answers.call("c" + i, "echo", Answers.args().put("text", "n" + i));
        assertFalse(Answers.isError(a), a.toString());
        assertEquals("n" + i, Answers.text(a));
      }
      String log = String.join("\n", daemon.stderr());
      assertTrue(log.contains("recycling it: it served"), log);
      await()
          .atMost(Duration.ofSeconds(30))
          .untilAsserted(
              () -> {
                JsonNode pool = answers.pool("examples");
                assertEquals("serving", pool.path("state").asText(), pool.toString());
                assertEquals(
                    0, pool.path("restarts").asInt(), "recycling is not a failure: " + pool);
                int maxId = 0;
                for (JsonNode w : pool.path("workers"))
                  maxId = Math.max(maxId, w.path("id").asInt());
                assertTrue(maxId >= 4, "workers were replaced: " + pool);
              });
    }
  }
}
