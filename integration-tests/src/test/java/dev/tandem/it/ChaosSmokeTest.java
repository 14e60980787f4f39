package dev.tandem.it;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The chaos run's smallest scenario inside make test, so the driver (ledger, tally, leak watch,
 * table) cannot rot between runs of make chaos: kill -9 of a worker mid-calls, every call answered
 * once as expected and nothing left running.
 */
class ChaosSmokeTest {

  @Test
  void killNineMidCallsCountsEveryCallAnsweredOnceAndNoProcessLeft(@TempDir Path dir) throws Exception {
    ChaosScenario s = new ChaosScenario("worker kill -9 mid-calls", "stdio", ChaosWorkerFaults::killNineMidCalls);
    ChaosRow row = s.run(dir);
    String table = ChaosTable.render(java.util.List.of(row));
    assertTrue(row.tried() == 50, table);
    assertTrue(row.clean(), table);
    assertTrue(table.contains("worker kill -9 mid-calls") && table.lines().anyMatch(l -> l.startsWith("total")), table);
  }
}
