package dev.tandem.it;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs one of the independent-client scripts in integration-tests/node (the official MCP SDK, the
 * Inspector) against a server command line, and returns the JSON report it prints.
 */
final class NodeScript {

  private NodeScript() {}

  static JsonNode run(String script, List<String> serverCommand, int timeoutSeconds)
      throws IOException, InterruptedException {
    return run(script, List.of(), serverCommand, timeoutSeconds, null);
  }

  /**
   * @param options the script's own options (before {@code --})
   * @param environment the whole environment of the script and so of the server it starts, or null
   *     for the test's own
   */
  static JsonNode run(
      String script,
      List<String> options,
      List<String> serverCommand,
      int timeoutSeconds,
      java.util.Map<String, String> environment)
      throws IOException, InterruptedException {
    Path dir = Tandem.NODE_DIR;
    if (!Files.isDirectory(dir.resolve("node_modules"))) {
      throw new IllegalStateException(
          "npm packages are not installed: run 'make node-deps' (make test does)");
    }
    List<String> argv = new ArrayList<>(List.of("node", dir.resolve(script).toString()));
    argv.addAll(options);
    argv.add("--");
    argv.addAll(serverCommand);
    Path err = Files.createTempFile("node-stderr", ".log");
    ProcessBuilder pb =
        new ProcessBuilder(argv).directory(dir.toFile()).redirectError(err.toFile());
    if (environment != null) {
      pb.environment().clear();
      pb.environment().putAll(environment);
    }
    Process p = pb.start();
    p.getOutputStream().close();
    byte[] out = p.getInputStream().readAllBytes();
    if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError(
          script
              + " did not finish in "
              + timeoutSeconds
              + " s; stderr:\n"
              + Files.readString(err));
    }
    String stdout = new String(out, StandardCharsets.UTF_8).trim();
    if (p.exitValue() != 0) {
      throw new AssertionError(
          script
              + " exited "
              + p.exitValue()
              + "; stdout:\n"
              + stdout
              + "\nstderr:\n"
              + tail(Files.readString(err)));
    }
    String last = stdout.lines().reduce((a, b) -> b).orElse("");
    try {
      return DaemonProcess.JSON.readTree(stdout.startsWith("{") ? stdout : last);
    } catch (IOException e) {
      throw new AssertionError(
          script
              + " printed no JSON report:\n"
              + stdout
              + "\nstderr:\n"
              + tail(Files.readString(err)));
    }
  }

  private static String tail(String s) {
    return s.length() <= 8000 ? s : s.substring(s.length() - 8000);
  }
}
