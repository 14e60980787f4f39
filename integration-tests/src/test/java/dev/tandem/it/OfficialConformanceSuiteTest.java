package dev.tandem.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The official MCP conformance suites (0.1.16 for the session era, 0.2 with --requirements
 * 2025-11-25 and 2026-07-28) against the real daemon over Streamable HTTP, through
 * integration-tests/conformance/run.sh, which `make conformance` runs too. Every scenario passes or
 * is in a baseline file with its reason; a baseline entry that starts passing fails too.
 */
class OfficialConformanceSuiteTest {

  @Test
  void everyScenarioPassesOrIsInTheBaselineWithItsReason() throws Exception {
    Path script = Tandem.HOME.resolve("integration-tests/conformance/run.sh");
    Path out = Files.createTempFile("conformance", ".log");
    Process p =
        new ProcessBuilder("bash", script.toString())
            .redirectErrorStream(true)
            .redirectOutput(out.toFile())
            .start();
    assertTrue(p.waitFor(10, TimeUnit.MINUTES), "the suites finish within 10 minutes");
    String log = Files.readString(out, StandardCharsets.UTF_8);
    assertEquals(0, p.exitValue(), log);
    for (String suite :
        new String[] {"session-era-0.1", "requirements-2025-11-25", "requirements-2026-07-28"}) {
      Matcher m =
          Pattern.compile("conformance " + suite + ": Total: (\\d+) passed, (\\d+) failed")
              .matcher(log);
      assertTrue(m.find(), "a summary for " + suite + ":\n" + log);
      assertTrue(Integer.parseInt(m.group(1)) > 30, suite + " ran its scenarios: " + m.group());
      if (!suite.endsWith("2026-07-28"))
        assertEquals("0", m.group(2), suite + " has no baseline: " + m.group());
    }
  }
}
