package dev.tandem.it;

import static dev.tandem.it.ChaosTally.error;
import static dev.tandem.it.ChaosTally.result;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** Faults of a worker: killed, stopped, writing garbage, stuck in a sync tool, leaving children. */
final class ChaosWorkerFaults {

  private ChaosWorkerFaults() {}

  static final Duration DEADLINE = Duration.ofSeconds(60);

  /**
   * kill -9 of a worker with calls in flight: read-only calls are retried on another worker and
   * succeed; the others either succeeded elsewhere or fail naming the signal.
   */
  static ChaosRow killNineMidCalls(ChaosScenario s, Path dir) throws Exception {
    try (ChaosStdio run =
        ChaosStdio.start(dir, "", "replicas = 2\nspare = 1\nmax_concurrency = 32", "")) {
      run.awaitReady(3);
      List<String> ids = new ArrayList<>();
      for (int i = 0; i < 25; i++) {
        String ro = "ro-" + i, once = "once-" + i;
        run.ledger.send(ro, "nap", Answers.args().put("seconds", 1.5));
        run.ledger.send(once, "nap_once", Answers.args().put("seconds", 1.5));
        run.tally.expect(ro, "\"napped 1.5\" (retried)", result("napped 1.5"));
        run.tally.expect(
            once,
            "\"napped once 1.5\" or an error naming SIGKILL",
            result("napped once 1.5").or(error("was killed by signal 9 (SIGKILL)")));
        ids.add(ro);
        ids.add(once);
      }
      run.awaitInFlight(50);
      Answers.signal(run.victim(), "KILL");
      run.ledger.awaitAll(ids, DEADLINE);
      return run.finish(
          s.name(), "restarts " + run.ledger.pool(ChaosStdio.POOL).path("restarts").asInt());
    }
  }

  /**
   * SIGSTOP of a worker with calls in flight: the missed ping gets it killed, its read-only calls
   * retried.
   */
  static ChaosRow sigstopMidCalls(ChaosScenario s, Path dir) throws Exception {
    try (ChaosStdio run =
        ChaosStdio.start(
            dir,
            "",
            "replicas = 2\nspare = 1\nping_interval_ms = 300\nping_timeout_ms = 1000",
            "")) {
      run.awaitReady(3);
      List<String> ids = new ArrayList<>();
      for (int i = 0; i < 20; i++) {
        String id = "nap-" + i;
        run.ledger.send(id, "nap", Answers.args().put("seconds", 1.0));
        run.tally.expect(id, "\"napped 1.0\" (retried)", result("napped 1.0"));
        ids.add(id);
      }
      run.awaitInFlight(20);
      long t0 = System.nanoTime();
      Answers.signal(run.victim(), "STOP");
      run.ledger.awaitAll(ids, DEADLINE);
      long ms = (System.nanoTime() - t0) / 1_000_000;
      return run.finish(s.name(), "all answered " + ms + " ms after SIGSTOP");
    }
  }

  /**
   * A worker that writes lines that are not JSON, invalid UTF-8, a 5 MiB line, and a partial line
   * glued to its answer: every answer still arrives, the worker is not restarted.
   */
  static ChaosRow garbageOnStdout(ChaosScenario s, Path dir) throws Exception {
    Files.createDirectories(dir);
    Files.writeString(dir.resolve("hostile.py"), GarbageOnWorkerStdoutTest.HOSTILE);
    String hostile =
        """
        [[pool]]
        name = "hostile"
        command = ["python3", "hostile.py"]
        spare = 0
        call_timeout_ms = 20000
        """;
    try (ChaosStdio run = ChaosStdio.start(dir, "", "replicas = 1\nspare = 0", hostile)) {
      List<String> ids = new ArrayList<>();
      for (int i = 0; i < 5; i++) {
        String id = "garble-" + i;
        run.ledger.send(id, "garble", null);
        run.tally.expect(id, "\"survived\"", result("survived"));
        ids.add(id);
      }
      for (int i = 0; i < 15; i++) {
        String id = "partial-" + i;
        run.ledger.send(id, "partial", null);
        run.tally.expect(id, "\"glued\"", result("glued"));
        ids.add(id);
      }
      run.ledger.awaitAll(ids, DEADLINE);
      return run.finish(
          s.name(), "restarts " + run.ledger.pool("hostile").path("restarts").asInt());
    }
  }

  /**
   * 40 calls of a sync tool that blocks for ever (more than a worker's 32 threads): each answered
   * at its 1 s timeout; the worker whose threads stay stuck is replaced, and sync calls succeed
   * again.
   */
  static ChaosRow blockingSyncTool(ChaosScenario s, Path dir) throws Exception {
    try (ChaosStdio run =
        ChaosStdio.start(
            dir,
            "",
            "replicas = 1\nspare = 1\ncall_timeout_ms = 1000\nping_interval_ms = 200\nping_timeout_ms = 1000",
            "")) {
      run.awaitReady(2);
      long stuck = run.victim();
      List<String> ids = new ArrayList<>();
      for (int i = 0; i < 40; i++) {
        String id = "hang-" + i;
        run.ledger.send(id, "hang", null);
        run.tally.expect(
            id, "an error: did not answer within 1000 ms", error("did not answer within 1000 ms"));
        ids.add(id);
      }
      run.ledger.awaitAll(ids, DEADLINE);
      long t0 = System.nanoTime();
      long end = t0 + Duration.ofSeconds(20).toNanos();
      while (ChaosLeaks.isRunning(stuck) && System.nanoTime() < end)
        Thread.sleep(50); // polling until the deadline
      long replacedMs = (System.nanoTime() - t0) / 1_000_000;
      List<String> quick = new ArrayList<>();
      for (int i = 0; i < 10; i++) {
        String id = "quick-" + i;
        run.ledger.send(id, "quick", Answers.args().put("text", "served " + i));
        run.tally.expect(id, "\"served " + i + "\"", result("served " + i));
        quick.add(id);
      }
      run.ledger.awaitAll(quick, DEADLINE);
      String note =
          ChaosLeaks.isRunning(stuck)
              ? "the stuck worker was never replaced"
              : "stuck worker replaced " + replacedMs + " ms after the last timeout";
      return run.finish(s.name(), note);
    }
  }

  /**
   * A tool that starts {@code sleep 300}, and its worker killed with SIGKILL: the calls fail naming
   * the signal; the sleeps must die with the worker (issue 17 item 9: they are re-parented to init
   * until workers get process groups).
   */
  static ChaosRow forkedSleepAndWorkerKilled(ChaosScenario s, Path dir) throws Exception {
    try (ChaosStdio run = ChaosStdio.start(dir, "", "replicas = 1\nspare = 1", "")) {
      run.awaitReady(2);
      List<String> ids = new ArrayList<>();
      for (int i = 0; i < 5; i++) {
        String id = "fork-" + i;
        run.ledger.send(id, "fork_sleep", Answers.args().put("seconds", 30.0));
        run.tally.expect(id, "an error naming SIGKILL", error("was killed by signal 9 (SIGKILL)"));
        ids.add(id);
      }
      run.awaitInFlight(5);
      long victim = run.victim();
      awaitChildren(victim, 5);
      Answers.signal(victim, "KILL");
      run.ledger.awaitAll(ids, DEADLINE);
      return run.finish(s.name(), "5 `sleep 300` started by the tool");
    }
  }

  /**
   * The same tool, and the daemon stopped with SIGTERM while the calls run: the calls are answered
   * that tandem is shutting down, and the sleeps must end with their workers.
   */
  static ChaosRow forkedSleepAndDaemonStopped(ChaosScenario s, Path dir) throws Exception {
    try (ChaosStdio run =
        ChaosStdio.start(
            dir, "[server]\nshutdown_grace_ms = 500\n", "replicas = 1\nspare = 0", "")) {
      run.awaitReady(1);
      List<String> ids = new ArrayList<>();
      for (int i = 0; i < 5; i++) {
        String id = "fork-" + i;
        run.ledger.send(id, "fork_sleep", Answers.args().put("seconds", 30.0));
        run.tally.expect(
            id,
            "an error: tandem is shutting down",
            error(
                "tool \"fork_sleep\" is unavailable: tandem is shutting down: the call did not finish within shutdown_grace_ms = 500 ms"));
        ids.add(id);
      }
      run.awaitInFlight(5);
      long worker = run.victim();
      awaitChildren(worker, 5);
      Answers.signal(run.daemon.process().pid(), "TERM");
      run.ledger.awaitAll(ids, DEADLINE);
      return run.finish(s.name(), "5 `sleep 300` started by the tool");
    }
  }

  /** The sleeps are started by the calls: waits until the worker has all {@code n} children. */
  private static void awaitChildren(long worker, int n) {
    await("worker " + worker + " has " + n + " children")
        .atMost(Duration.ofSeconds(10))
        .pollInterval(Duration.ofMillis(20))
        .until(() -> ProcessHandle.of(worker).map(p -> p.children().count()).orElse(0L) >= n);
  }
}
