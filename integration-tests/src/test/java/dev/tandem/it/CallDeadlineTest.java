package dev.tandem.it;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A call past call_timeout_ms answers a timeout error, and its worker is told to stop it. */
class CallDeadlineTest {

  @Test
  void callPastItsDeadlineAnswersATimeoutAndIsCancelledOnTheWorker(@TempDir Path dir)
      throws Exception {
    Path config =
        Tandem.config(
            dir,
            Tandem.examplesPool("examples", 1)
                + """
        spare = 0
        call_timeout_ms = 700
        """);
    try (DaemonProcess daemon = DaemonProcess.serve(config)) {
      daemon.initialize();
      Answers answers = new Answers(daemon);
      JsonNode late = answers.call("late", "sleep", Answers.args().put("seconds", 30));
      assertTrue(Answers.isError(late), late.toString());
      String text = Answers.text(late);
      assertTrue(
          text.startsWith(
              "tool \"sleep\" did not answer within 700 ms (call_timeout_ms of pool \"examples\"); "
                  + "it was cancelled on worker 1 (pid "),
          text);
      // The worker heard notifications/cancelled: it has nothing in flight any more.
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> String.join("\n", daemon.stderr()).contains("cancel"));
      assertEquals(0, answers.pool("examples").path("inFlight").asInt());
      JsonNode quick = answers.call("quick", "echo", Answers.args().put("text", "next"));
      assertEquals("next", Answers.text(quick));
      assertEquals(1, answers.all("late").size());
    }
  }
}
