package dev.tandem.it;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A python that is a shim (pyenv, asdf) costs a start of its own every time it runs. The first
 * worker goes through it and names the real interpreter; the spare, and a replacement for a killed
 * worker, exec that interpreter directly, so the shim runs exactly once.
 */
class PythonShimAskedOnceTest {

  @Test
  void onlyTheFirstWorkerGoesThroughTheShim(@TempDir Path dir) throws Exception {
    String real = realPython();
    Path calls = dir.resolve("shim-calls");
    Path shim = dir.resolve("python3-shim");
    Files.writeString(
        shim, "#!/bin/sh\necho \"$$\" >> '" + calls + "'\nexec '" + real + "' \"$@\"\n");
    Files.setPosixFilePermissions(shim, PosixFilePermissions.fromString("rwx------"));
    Path config =
        Tandem.config(
            dir,
            "[server]\npython = \""
                + shim
                + "\"\n\n"
                + Tandem.examplesPool("examples", 1)
                + "spare = 1\n");

    try (DaemonProcess daemon = DaemonProcess.serve(config)) {
      daemon.initialize();
      Answers answers = new Answers(daemon);
      JsonNode first = answers.call("c1", "echo", Answers.args().put("text", "through the shim"));
      assertEquals("through the shim", Answers.text(first), first.toString());
      long serving = awaitServingAndReadySpare(answers);

      Answers.signal(serving, "KILL");
      JsonNode after = answers.call("c2", "echo", Answers.args().put("text", "after the kill"));
      assertFalse(Answers.isError(after), after.toString());
      awaitServingAndReadySpare(answers); // the promoted spare, and a new spare in its place

      List<String> shimRuns = Files.readAllLines(calls);
      assertEquals(1, shimRuns.size(), "the shim ran for the first worker only: " + shimRuns);
      String log = String.join("\n", daemon.stderr());
      assertTrue(
          log.contains("python " + real) && log.contains("found through \"" + shim + "\""), log);
    }
  }

  @Test
  void aPythonThatCannotBeRunIsNamedWithTheFix(@TempDir Path dir) throws Exception {
    Path config =
        Tandem.config(
            dir,
            "[server]\npython = \"/opt/no-python/bin/python3\"\n\n"
                + Tandem.examplesPool("examples", 1));
    try (DaemonProcess daemon = DaemonProcess.serve(config)) {
      // The daemon exits on its own, whether or not it got to answer an initialize first.
      assertEquals(1, daemon.awaitExit(Duration.ofSeconds(30)));
      String log = String.join("\n", daemon.stderr());
      assertTrue(
          log.contains(
              "pool \"examples\" could not start: cannot run python \"/opt/no-python/bin/python3\""),
          log);
      assertTrue(
          log.contains("install Python 3.11+ or set [server] python / TANDEM_PYTHON to its path"),
          log);
    }
  }

  /** Waits for one serving and one ready spare worker; returns the serving one's pid. */
  private static long awaitServingAndReadySpare(Answers answers) {
    long[] serving = new long[1];
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () -> {
              JsonNode pool = answers.pool("examples");
              int spares = 0;
              for (JsonNode w : pool.path("workers")) {
                if (!w.path("state").asText().equals("ready")) continue;
                if (w.path("role").asText().equals("spare")) spares++;
                if (w.path("role").asText().equals("serving")) serving[0] = w.path("pid").asLong();
              }
              assertEquals(1, spares, pool.toString());
              assertTrue(serving[0] > 0, pool.toString());
            });
    return serving[0];
  }

  /** The interpreter the suite runs workers on, resolved the way tandem's own check does. */
  private static String realPython() throws Exception {
    String python = System.getenv().getOrDefault("TANDEM_PYTHON", "python3");
    Process p = new ProcessBuilder(python, "-c", "import sys; print(sys.executable)").start();
    String out = new String(p.getInputStream().readAllBytes()).trim();
    p.waitFor();
    return out;
  }
}
