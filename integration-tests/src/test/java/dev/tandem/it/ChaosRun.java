package dev.tandem.it;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code make chaos}: every fault scenario against a real bin/tandem with real workers, and one
 * table of what became of the calls (issue 17, "What it must show"). Not named *Test, so {@code
 * make test} does not run it; the Makefile selects it with -Dtest=ChaosRun. It reports and does not
 * fail: the table is the result. ChaosSmokeTest keeps the machinery from rotting.
 */
class ChaosRun {

  static List<ChaosScenario> scenarios() {
    return List.of(
        new ChaosScenario("worker kill -9 mid-calls", "stdio", ChaosWorkerFaults::killNineMidCalls),
        new ChaosScenario("worker SIGSTOP mid-calls", "stdio", ChaosWorkerFaults::sigstopMidCalls),
        new ChaosScenario(
            "worker writes garbage, partial lines", "stdio", ChaosWorkerFaults::garbageOnStdout),
        new ChaosScenario(
            "sync tool blocks past its timeout", "stdio", ChaosWorkerFaults::blockingSyncTool),
        new ChaosScenario("duplicate request ids", "stdio", ChaosHostFaults::duplicateIds),
        new ChaosScenario("oversized and too-deep frames", "stdio", ChaosHostFaults::badFrames),
        new ChaosScenario(
            "host stops reading past ping timeout", "stdio", ChaosHostFaults::hostStopsReading),
        new ChaosScenario("flood of 10k calls", "stdio", ChaosHostFaults::flood),
        new ChaosScenario(
            "lone surrogate in arguments, traces on",
            "stdio",
            ChaosHostFaults::loneSurrogateWithTraces),
        new ChaosScenario(
            "daemon SIGTERM with calls in flight",
            "stdio",
            (s, d) -> ChaosHostFaults.stopWithCallsInFlight(s, d, "TERM")),
        new ChaosScenario(
            "daemon SIGINT with calls in flight",
            "stdio",
            (s, d) -> ChaosHostFaults.stopWithCallsInFlight(s, d, "INT")),
        new ChaosScenario(
            "host closes stdin with calls in flight",
            "stdio",
            (s, d) -> ChaosHostFaults.stopWithCallsInFlight(s, d, "stdin")),
        new ChaosScenario("daemon kill -9", "stdio", ChaosHostFaults::daemonKillNine),
        new ChaosScenario("worker kill -9 mid-calls", "http", ChaosHttpFaults::killNineMidCalls),
        new ChaosScenario("flood of 2k calls", "http", ChaosHttpFaults::flood),
        new ChaosScenario(
            "idle connections past the cap", "http", ChaosHttpFaults::idleConnectionsAtTheCap),
        new ChaosScenario(
            "daemon SIGTERM with calls in flight",
            "http",
            ChaosHttpFaults::sigtermWithCallsInFlight),
        new ChaosScenario(
            "tool forks sleep, worker kill -9",
            "stdio",
            ChaosWorkerFaults::forkedSleepAndWorkerKilled),
        new ChaosScenario(
            "tool forks sleep, daemon SIGTERM",
            "stdio",
            ChaosWorkerFaults::forkedSleepAndDaemonStopped));
  }

  @Test
  void run(@TempDir Path dir) throws Exception {
    List<ChaosRow> rows = new ArrayList<>();
    String only = System.getProperty("chaos.only", "");
    for (ChaosScenario s : scenarios()) {
      if (!only.isEmpty() && !(s.name() + " " + s.transport()).contains(only)) continue;
      long t0 = System.nanoTime();
      ChaosRow row = s.run(dir.resolve("s" + rows.size()));
      rows.add(row);
      System.out.printf(
          "chaos: %s (%s) done in %d ms%n",
          s.name(), s.transport(), (System.nanoTime() - t0) / 1_000_000);
    }
    String table = ChaosTable.render(rows);
    System.out.println();
    System.out.println(table);
    Path out = Tandem.HOME.resolve("integration-tests/target/chaos.txt");
    Files.createDirectories(out.getParent());
    Files.writeString(out, table);
    System.out.println("written to " + out);
  }
}
