package dev.tandem.it;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * {@code node/sdk-sticky-sessions.mjs} running: the official TypeScript SDK's sessions through one
 * endpoint, told phase by phase to call the replica-naming tool, so the test can act between phases
 * (kill a replica) and read what each session saw.
 */
final class SdkStickySessions implements AutoCloseable {

  private final Process process;
  private final BufferedReader out;
  private final Writer in;
  private final Path err;
  final JsonNode connected;

  private SdkStickySessions(Process process, Path err) throws IOException {
    this.process = process;
    this.err = err;
    this.out =
        new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    this.in = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
    this.connected = next("connected");
  }

  /** Opens {@code sessions} SDK sessions to {@code mcp}, one after the other. */
  static SdkStickySessions open(URI mcp, int sessions) throws IOException {
    Path dir = Tandem.NODE_DIR;
    if (!Files.isDirectory(dir.resolve("node_modules"))) {
      throw new IllegalStateException(
          "npm packages are not installed: run 'make node-deps' (make test does)");
    }
    Path err = Files.createTempFile("sdk-sticky-stderr", ".log");
    Process p =
        new ProcessBuilder(
                List.of(
                    "node",
                    dir.resolve("sdk-sticky-sessions.mjs").toString(),
                    "--sessions",
                    String.valueOf(sessions),
                    "--",
                    mcp.toString()))
            .directory(dir.toFile())
            .redirectError(err.toFile())
            .start();
    return new SdkStickySessions(p, err);
  }

  /** Every session calls the tool {@code rounds} times; what each one saw. */
  JsonNode run(String label, int rounds) throws IOException {
    in.write("run " + label + " " + rounds + "\n");
    in.flush();
    return next(label);
  }

  private JsonNode next(String phase) throws IOException {
    String line = out.readLine();
    if (line == null)
      throw new AssertionError(
          "sdk-sticky-sessions.mjs ended before phase " + phase + "; stderr:\n" + stderr());
    JsonNode report = DaemonProcess.JSON.readTree(line);
    if (!phase.equals(report.path("phase").asText()))
      throw new AssertionError("expected phase " + phase + ", got " + line + "\n" + stderr());
    return report;
  }

  private String stderr() throws IOException {
    String s = Files.readString(err);
    return s.length() <= 8000 ? s : s.substring(s.length() - 8000);
  }

  @Override
  public void close() throws Exception {
    in.close(); // the end of stdin: the script closes its sessions and exits
    if (!process.waitFor(20, TimeUnit.SECONDS)) process.destroyForcibly();
  }
}
