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
 * kill -9 of a worker while 50 calls are in flight: calls on the other worker succeed, calls on the
 * dead one get exactly one answer each (a retry for read-only tools, an error naming the signal for
 * the others), and a replacement serves.
 */
class WorkerKilledMidCallTest {

  @Test
  void killNineMidCallAnswersEachCallOnceRetryingOnlyReadOnlyTools(@TempDir Path dir)
      throws Exception {
    Files.writeString(dir.resolve("naps.py"), Answers.NAPS);
    Path config =
        Tandem.config(
            dir,
            """
        [[pool]]
        name = "naps"
        modules = ["naps"]
        path = "."
        replicas = 2
        spare = 1
        max_concurrency = 32
        """);
    try (DaemonProcess daemon = DaemonProcess.serve(config)) {
      daemon.initialize();
      Answers answers = new Answers(daemon);
      await().atMost(Duration.ofSeconds(30)).until(() -> readyWorkers(answers.pool("naps")) == 3);

      List<String> readOnly = new ArrayList<>();
      List<String> once = new ArrayList<>();
      // Least-loaded routing alternates the workers, so each gets about half of each kind.
      for (int i = 0; i < 25; i++) {
        readOnly.add("ro-" + i);
        answers.send("ro-" + i, "nap", Answers.args().put("seconds", 3.0));
      }
      for (int i = 0; i < 25; i++) {
        once.add("once-" + i);
        answers.send("once-" + i, "nap_once", Answers.args().put("seconds", 3.0));
      }
      await()
          .atMost(Duration.ofSeconds(20))
          .until(() -> answers.pool("naps").path("inFlight").asInt() == 50);

      JsonNode victim = null;
      for (JsonNode w : answers.pool("naps").path("workers")) {
        if (w.path("role").asText().equals("serving") && w.path("inFlight").asInt() > 0) victim = w;
      }
      assertTrue(victim != null, "a serving worker has calls in flight");
      long pid = victim.path("pid").asLong();
      int onVictim = victim.path("inFlight").asInt();
      Answers.signal(pid, "KILL");

      List<String> all = new ArrayList<>(readOnly);
      all.addAll(once);
      answers.awaitAll(all, Duration.ofSeconds(60));

      for (String id : readOnly) {
        JsonNode a = answers.all(id).get(0);
        assertFalse(
            Answers.isError(a), "read-only call " + id + " is retried on another worker: " + a);
        assertEquals("napped 3.0", Answers.text(a));
      }
      int failed = 0;
      for (String id : once) {
        JsonNode a = answers.all(id).get(0);
        if (!Answers.isError(a)) {
          assertEquals("napped once 3.0", Answers.text(a));
          continue;
        }
        failed++;
        // The task machinery's marker of a death is never part of what a host is answered.
        assertTrue(
            a.path("result").path("_meta").path("tandem/workerDied").isMissingNode(),
            "a plain call's result carries no tandem/workerDied marker: " + a);
        String text = Answers.text(a);
        assertTrue(text.contains("tool \"nap_once\" failed: pool \"naps\" worker"), text);
        assertTrue(text.contains("(pid " + pid + ") was killed by signal 9 (SIGKILL)"), text);
        assertTrue(
            text.contains(
                "not retried because the tool is not annotated readOnlyHint or idempotentHint"),
            text);
      }
      assertTrue(
          failed >= 1 && failed < onVictim,
          failed + " errors for " + onVictim + " calls on the killed worker");
      long retried =
          daemon.stderr().stream()
              .filter(l -> l.contains("retrying it once on another worker"))
              .count();
      assertEquals(
          onVictim - failed, retried, "every read-only call on the killed worker was retried once");

      // The replacement serves: the spare took the slot at once, and a new spare is started.
      JsonNode after = answers.call("after", "nap", Answers.args().put("seconds", 0.0));
      assertFalse(Answers.isError(after), after.toString());
      await()
          .atMost(Duration.ofSeconds(30))
          .untilAsserted(
              () -> {
                JsonNode pool = answers.pool("naps");
                assertEquals("serving", pool.path("state").asText(), pool.toString());
                assertEquals(3, readyWorkers(pool), pool.toString());
                assertEquals(1, pool.path("restarts").asInt(), pool.toString());
              });
      for (String id : all) assertEquals(1, answers.all(id).size(), "exactly one answer to " + id);
      System.out.printf(
          "kill -9 mid-call: %d calls on the killed worker: %d nap_once errors, %d naps retried%n",
          onVictim, failed, retried);
    }
  }

  static int readyWorkers(JsonNode pool) {
    int n = 0;
    for (JsonNode w : pool.path("workers")) if (w.path("state").asText().equals("ready")) n++;
    return n;
  }
}
