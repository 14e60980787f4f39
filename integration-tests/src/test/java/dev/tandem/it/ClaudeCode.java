package dev.tandem.it;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The pinned Claude Code (integration-tests/node, {@code @anthropic-ai/claude-code}) run as a user
 * would, but in a home of its own: a fresh HOME and CLAUDE_CONFIG_DIR, a project directory, no API
 * but the fake one on loopback, and nothing sent anywhere else (telemetry and updates off).
 */
final class ClaudeCode implements AutoCloseable {

  static final Path BIN_DIR = Tandem.NODE_DIR.resolve("node_modules/.bin");

  record Run(int exit, String stdout, String stderr) {
    @Override
    public String toString() {
      return "exit " + exit + "\nstdout:\n" + stdout + "\nstderr:\n" + stderr;
    }
  }

  final Path home;
  final Path project;
  private final Map<String, String> env = new HashMap<>();

  ClaudeCode() throws IOException {
    if (!Files.isExecutable(BIN_DIR.resolve("claude"))) {
      throw new IllegalStateException(
          "Claude Code is not installed: run 'make node-deps' (make test does)");
    }
    home = Files.createTempDirectory("tandem-claude-home-");
    project = Files.createDirectories(home.resolve("project"));
    env.put("HOME", home.toString());
    env.put("CLAUDE_CONFIG_DIR", home.resolve(".claude").toString());
    env.put("PATH", BIN_DIR + ":" + System.getenv("PATH"));
    env.put("LANG", "C.UTF-8");
    env.put("CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC", "1");
    env.put("DISABLE_AUTOUPDATER", "1");
    env.put("DISABLE_TELEMETRY", "1");
    // Claude Code offers MCP tools to the model only with tool search off, and in -p mode it
    // connects to MCP servers in the background unless told to wait for them.
    env.put("ENABLE_TOOL_SEARCH", "false");
    env.put("MCP_CONNECTION_NONBLOCKING", "false");
    env.put("ANTHROPIC_API_KEY", "fake-key-for-a-loopback-api");
    // tandem's first start on a loaded machine (a JVM, then Python workers) may take a while.
    env.put("MCP_TIMEOUT", "60000");
    // What a host starts tandem with: the interpreter and the trace directory of this test run.
    for (String name : List.of("JAVA_HOME", "TANDEM_TRACE_DIR", "PYTHONDONTWRITEBYTECODE")) {
      if (System.getenv(name) != null) env.put(name, System.getenv(name));
    }
  }

  ClaudeCode env(String name, String value) {
    env.put(name, value);
    return this;
  }

  /** {@code claude ARGS...} in the project directory. */
  Run claude(List<String> args, int timeoutSeconds) throws IOException, InterruptedException {
    List<String> argv = new ArrayList<>(List.of(BIN_DIR.resolve("claude").toString()));
    argv.addAll(args);
    return run(argv, timeoutSeconds);
  }

  /** A command line as a user pastes it into a shell (with this home's claude first on PATH). */
  Run shell(String line, int timeoutSeconds) throws IOException, InterruptedException {
    return run(List.of("bash", "-c", line), timeoutSeconds);
  }

  /** {@code claude -p PROMPT --output-format stream-json}, allowed to use {@code tool} unasked. */
  Run print(String prompt, String tool, int timeoutSeconds)
      throws IOException, InterruptedException {
    return claude(
        List.of(
            "-p", prompt, "--output-format", "stream-json", "--verbose", "--allowedTools", tool),
        timeoutSeconds);
  }

  private Run run(List<String> argv, int timeoutSeconds) throws IOException, InterruptedException {
    Path out = Files.createTempFile(home, "out", ".log");
    Path err = Files.createTempFile(home, "err", ".log");
    ProcessBuilder pb =
        new ProcessBuilder(argv)
            .directory(project.toFile())
            .redirectOutput(out.toFile())
            .redirectError(err.toFile())
            .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
    pb.environment().clear();
    pb.environment().putAll(env);
    Process p = pb.start();
    if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
      p.descendants().forEach(ProcessHandle::destroyForcibly);
      p.destroyForcibly();
      throw new AssertionError(
          argv
              + " did not finish in "
              + timeoutSeconds
              + " s; stdout:\n"
              + Files.readString(out)
              + "\nstderr:\n"
              + Files.readString(err));
    }
    return new Run(
        p.exitValue(),
        Files.readString(out, StandardCharsets.UTF_8),
        Files.readString(err, StandardCharsets.UTF_8));
  }

  /** Removes the home: Claude Code's config, sessions and logs of this test. */
  @Override
  public void close() {
    try (Stream<Path> files = Files.walk(home)) {
      for (Path p : files.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
    } catch (IOException e) {
      // A server Claude Code started may still be writing its last log line: leave the rest to
      // /tmp.
    }
  }
}
