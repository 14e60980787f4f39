package dev.tandem.it;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * integration-tests/node/sdk-surface-check.mjs over Streamable HTTP ({@code --url}), which {@link
 * NodeScript} cannot start (it puts every argument after {@code --}), and what a test of its report
 * needs beside the report: the SDK's client errors less the known progress noise, and the removal
 * of the marker file the script leaves behind.
 */
final class SurfaceCheck {

  static final String SCRIPT = "sdk-surface-check.mjs";

  private SurfaceCheck() {}

  /** Runs the script against a daemon already serving {@code mcp}; returns its report. */
  static JsonNode overHttp(URI mcp, int timeoutSeconds) throws IOException, InterruptedException {
    Path dir = Tandem.NODE_DIR;
    if (!Files.isDirectory(dir.resolve("node_modules"))) {
      throw new IllegalStateException(
          "npm packages are not installed: run 'make node-deps' (make test does)");
    }
    List<String> argv = List.of("node", dir.resolve(SCRIPT).toString(), "--url", mcp.toString());
    Path err = Files.createTempFile("node-stderr", ".log");
    try {
      Process p =
          new ProcessBuilder(argv).directory(dir.toFile()).redirectError(err.toFile()).start();
      p.getOutputStream().close();
      byte[] out = p.getInputStream().readAllBytes();
      if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new AssertionError(
            SCRIPT
                + " did not finish in "
                + timeoutSeconds
                + " s; stderr:\n"
                + Files.readString(err));
      }
      String stdout = new String(out, StandardCharsets.UTF_8).trim();
      if (p.exitValue() != 0) {
        throw new AssertionError(
            SCRIPT
                + " exited "
                + p.exitValue()
                + "; stdout:\n"
                + stdout
                + "\nstderr:\n"
                + Files.readString(err));
      }
      try {
        return DaemonProcess.JSON.readTree(stdout.lines().reduce((a, b) -> b).orElse(""));
      } catch (IOException e) {
        throw new AssertionError(
            SCRIPT + " printed no JSON report:\n" + stdout + "\nstderr:\n" + Files.readString(err));
      }
    } finally {
      Files.deleteIfExists(err);
    }
  }

  /** The script leaves the marker file for the test to check; removes its temporary directory. */
  static void removeMarker(JsonNode report) throws IOException {
    if (report == null) return;
    Path marker = Path.of(report.at("/cancel/marker/path").asText("/nonexistent"));
    Path dir = marker.getParent();
    if (dir != null
        && dir.getFileName() != null
        && dir.getFileName().toString().startsWith("tandem-surface-")) {
      try (Stream<Path> files = Files.walk(dir)) {
        for (Path p : files.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
      }
    }
  }

  /**
   * The SDK's onerror messages, less "Received a progress notification for an unknown token" for
   * the two slow_steps calls: SDK 1.32.2 drops a call's progress handler as soon as it settles, so
   * progress that arrives with the result (typescript-sdk#2580), or was already on its way when the
   * call was aborted, is reported that way. Those notifications are asserted on the wire instead.
   */
  static List<String> unexpectedClientErrors(JsonNode report) {
    Set<String> tokens =
        Set.of(
            report.at("/progress/progressToken").toString(),
            report.at("/cancel/progressToken").toString());
    String prefix = "Received a progress notification for an unknown token: ";
    List<String> out = new ArrayList<>();
    for (JsonNode e : report.get("clientErrors")) {
      String message = e.asText();
      if (message.startsWith(prefix)) {
        try {
          JsonNode note = DaemonProcess.JSON.readTree(message.substring(prefix.length()));
          if (tokens.contains(note.at("/params/progressToken").toString())) continue;
        } catch (IOException ignored) {
          // not the SDK's usual shape: keep it
        }
      }
      out.add(message);
    }
    return out;
  }

  static List<JsonNode> toList(JsonNode array) {
    List<JsonNode> out = new ArrayList<>();
    array.forEach(out::add);
    return out;
  }

  /** fixtures/surface/tandem.toml as Maven copied it to the test classpath. */
  static Path fixture() {
    var url = SurfaceCheck.class.getResource("/fixtures/surface/tandem.toml");
    if (url == null)
      throw new AssertionError("fixtures/surface/tandem.toml is not on the test classpath");
    try {
      return Path.of(url.toURI());
    } catch (java.net.URISyntaxException e) {
      throw new AssertionError(e);
    }
  }
}
