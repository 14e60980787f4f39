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
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** However the daemon ends, no worker outlives it; a SIGTERM lets calls in flight finish first. */
class DaemonExitLeavesNoWorkerTest {

  @Test
  void killNineOfTheDaemonLeavesNoWorkerAfterTwoSeconds(@TempDir Path dir) throws Exception {
    Path config = Tandem.config(dir, Tandem.examplesPool("examples", 2) + "spare = 1\n");
    try (DaemonProcess daemon = DaemonProcess.serve(config)) {
      daemon.initialize();
      Answers answers = new Answers(daemon);
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> WorkerKilledMidCallTest.readyWorkers(answers.pool("examples")) == 3);
      List<ProcessHandle> workers = daemon.process().descendants().toList();
      assertEquals(3, workers.size(), workers.toString());
      daemon.process().destroyForcibly();
      // PR_SET_PDEATHSIG, armed from the spawner thread that lives as long as the daemon.
      await()
          .atMost(Duration.ofSeconds(2))
          .pollInterval(Duration.ofMillis(20))
          .until(() -> workers.stream().noneMatch(DaemonExitLeavesNoWorkerTest::running));
    }
  }

  /**
   * Alive and not a zombie. The workers of a killed daemon are re-parented to init, which reaps
   * them when it gets to it; until then isAlive() still sees the dead ones.
   */
  static boolean running(ProcessHandle process) {
    if (!process.isAlive()) return false;
    try {
      String stat = Files.readString(Path.of("/proc/" + process.pid() + "/stat"));
      return stat.charAt(stat.lastIndexOf(')') + 2) != 'Z';
    } catch (IOException e) {
      return false; // gone between the two looks
    }
  }

  @Test
  void sigtermLetsCallsInFlightFinishThenStopsEveryWorkerAndExitsZero(@TempDir Path dir)
      throws Exception {
    Path config = Tandem.config(dir, Tandem.examplesPool("examples", 2) + "spare = 1\n");
    try (DaemonProcess daemon = DaemonProcess.serve(config)) {
      daemon.initialize();
      Answers answers = new Answers(daemon);
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> WorkerKilledMidCallTest.readyWorkers(answers.pool("examples")) == 3);
      List<ProcessHandle> workers = daemon.process().descendants().toList();
      List<String> ids = List.of("a", "b", "c", "d");
      for (String id : ids) answers.send(id, "sleep", Answers.args().put("seconds", 1.5));
      await()
          .atMost(Duration.ofSeconds(20))
          .until(() -> answers.pool("examples").path("inFlight").asInt() == 4);

      // kill(1), not Process.destroy(): destroy also closes our ends of the pipes, and the answers
      // are what this test is about.
      Answers.signal(daemon.process().pid(), "TERM");
      answers.awaitAll(ids, Duration.ofSeconds(20));
      for (String id : ids) {
        JsonNode a = answers.all(id).get(0);
        assertFalse(Answers.isError(a), a.toString());
        assertEquals("slept 1.5s", Answers.text(a));
        assertEquals(1, answers.all(id).size());
      }
      assertEquals(
          0, daemon.awaitExit(Duration.ofSeconds(20)), "SIGTERM is an orderly stop: status 0");
      await()
          .atMost(Duration.ofSeconds(5))
          .until(() -> workers.stream().noneMatch(ProcessHandle::isAlive));
      assertTrue(String.join("\n", daemon.stderr()).contains("SIGTERM: shutting down"));
    }
  }
}
