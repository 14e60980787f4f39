package dev.tandem.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A stdio host that stops reading tandem's stdout for longer than the ping timeout (issue 17, item
 * 2): the answers wait for it, its further requests wait unread, and the workers, which are
 * healthy, keep answering their pings. Before, the worker's stdout thread blocked writing to the
 * host, the worker's pings went unread, and tandem SIGKILLed it as hung.
 */
class HostStopsReadingTest {

  static final int PING_INTERVAL_MS = 200;
  static final int PING_TIMEOUT_MS = 600;
  static final int CALLS = 300;

  @Test
  void aHostThatStopsReadingGetsNoHealthyWorkerKilledAndEveryAnswerOnce(@TempDir Path dir)
      throws Exception {
    Path config =
        Tandem.config(
            dir,
            Tandem.examplesPool("examples", 2)
                + """
        spare = 1
        ping_interval_ms = %d
        ping_timeout_ms = %d
        """
                    .formatted(PING_INTERVAL_MS, PING_TIMEOUT_MS));
    try (DaemonProcess daemon = DaemonProcess.serve(config)) {
      daemon.initialize();
      Answers answers = new Answers(daemon);
      org.awaitility.Awaitility.await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> WorkerKilledMidCallTest.readyWorkers(answers.pool("examples")) == 3);

      daemon.stopReading();
      // 300 answers of 4 KiB: 1.2 MB, far more than the pipe and the reader's buffer hold.
      String text = "x".repeat(4096);
      List<String> ids = new ArrayList<>();
      for (int i = 0; i < CALLS; i++) ids.add("c" + i);
      // A host writes on its own thread: once tandem stops reading its requests (the flow control
      // under test), this one blocks until the host reads again.
      Thread sender =
          Thread.ofPlatform()
              .name("host-sender")
              .start(
                  () -> {
                    try {
                      for (String id : ids)
                        answers.send(id, "echo", Answers.args().put("text", text));
                    } catch (Exception e) {
                      throw new RuntimeException(e);
                    }
                  });
      // The stall itself, not a wait for something: several ping timeouts with nothing read.
      Thread.sleep(5 * (PING_INTERVAL_MS + PING_TIMEOUT_MS));
      daemon.resumeReading();
      sender.join(Duration.ofSeconds(60));

      answers.awaitAll(ids, Duration.ofSeconds(60));
      for (String id : ids) {
        assertEquals(
            1, answers.all(id).size(), id + " answered " + answers.all(id).size() + " times");
        JsonNode answer = answers.all(id).get(0);
        assertFalse(Answers.isError(answer), id + ": " + Answers.text(answer));
        assertEquals(text, Answers.text(answer));
      }
      JsonNode pool = answers.pool("examples");
      String log = String.join("\n", daemon.stderr());
      assertEquals(
          0,
          pool.path("restarts").asLong(),
          "workers restarted while the host was not reading:\n" + log);
      assertEquals(0, pool.path("refused").asLong(), pool.toString());
      assertFalse(log.contains("did not answer a ping"), log);
    }
  }
}
