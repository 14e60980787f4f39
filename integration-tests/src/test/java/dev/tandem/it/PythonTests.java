package dev.tandem.it;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs a unittest module of integration-tests/python, whose tests start the real daemon and drive
 * it from Python (tandem.client, a notebook), and fails with its output if any test failed. They
 * run here rather than in reasoning-python's suite because they need the built daemon.
 */
final class PythonTests {

  static final Path DIR = Tandem.HOME.resolve("integration-tests/python");

  private PythonTests() {}

  static void run(String module, int timeoutSeconds) throws IOException, InterruptedException {
    String python = System.getenv().getOrDefault("TANDEM_PYTHON", "python3");
    ProcessBuilder pb =
        new ProcessBuilder(List.of(python, "-m", "unittest", "-v", module))
            .directory(DIR.toFile())
            .redirectErrorStream(true);
    pb.environment().put("PYTHONPATH", Tandem.HOME.resolve("reasoning-python").toString());
    // The tests edit modules and reload within the same second: a .pyc keyed on the source's
    // mtime in whole seconds and its size could then be taken for the edited source.
    pb.environment().put("PYTHONDONTWRITEBYTECODE", "1");
    Process p = pb.start();
    p.getOutputStream().close();
    byte[] out = p.getInputStream().readAllBytes();
    if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError(module + " did not finish within " + timeoutSeconds + " s");
    }
    String text = new String(out, StandardCharsets.UTF_8);
    if (p.exitValue() != 0)
      throw new AssertionError(module + " failed (exit " + p.exitValue() + "):\n" + text);
    System.out.println(text.strip());
  }
}
