package dev.tandem.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The chaos run's smallest scenario inside make test, so the driver (ledger, tally, leak watch,
 * table) cannot rot between runs of make chaos: oversized and too-deep frames and an oversized
 * result between good calls, each answered once as expected, nothing left running.
 */
class ChaosSmokeTest {

  @Test
  void badFramesScenarioCountsEveryCallAnsweredOnceAndNoProcessLeft(@TempDir Path dir) {
    ChaosScenario s =
        new ChaosScenario("oversized and too-deep frames", "stdio", ChaosHostFaults::badFrames);
    ChaosRow row = s.run(dir);
    String table = ChaosTable.render(List.of(row));
    assertEquals(50, row.tried(), table);
    assertTrue(row.clean(), table);
    assertTrue(table.lines().anyMatch(l -> l.startsWith("total") && l.contains(" 50 ")), table);
  }
}
