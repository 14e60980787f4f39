package dev.tandem.it;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** One run of a {@code tandem} command line (not serve) to its end: status, stdout, stderr. */
final class TandemCli {

  record Result(int status, String stdout, String stderr) {
    @Override
    public String toString() {
      return "status " + status + "\n--- stdout\n" + stdout + "--- stderr\n" + stderr;
    }
  }

  private TandemCli() {}

  static Result run(List<String> args) throws IOException, InterruptedException {
    return run(Tandem.BIN, args, Map.of(), null);
  }

  /**
   * @param env put over the test's environment; a null value removes the variable
   * @param cwd the working directory, or null for the test's
   */
  static Result run(Path bin, List<String> args, Map<String, String> env, Path cwd)
      throws IOException, InterruptedException {
    List<String> argv = new ArrayList<>();
    argv.add(bin.toString());
    argv.addAll(args);
    ProcessBuilder pb = new ProcessBuilder(argv);
    // Variables a developer may have set that would change what is being tested.
    for (String v :
        List.of(
            "TANDEM_CONFIG",
            "TANDEM_HTTP_TOKEN",
            "TANDEM_LOG_FORMAT",
            "TANDEM_LOG_LEVEL",
            "TANDEM_URL")) {
      pb.environment().remove(v);
    }
    env.forEach(
        (k, v) -> {
          if (v == null) pb.environment().remove(k);
          else pb.environment().put(k, v);
        });
    if (cwd != null) pb.directory(cwd.toFile());
    Path out = Files.createTempFile("tandem-cli", ".out");
    Path err = Files.createTempFile("tandem-cli", ".err");
    Process p =
        pb.redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
            .redirectOutput(out.toFile())
            .redirectError(err.toFile())
            .start();
    if (!p.waitFor(120, TimeUnit.SECONDS)) {
      p.descendants().forEach(ProcessHandle::destroyForcibly);
      p.destroyForcibly();
      throw new AssertionError(
          String.join(" ", argv) + " did not finish in 120 s; stderr:\n" + Files.readString(err));
    }
    Result r =
        new Result(
            p.exitValue(),
            Files.readString(out, StandardCharsets.UTF_8),
            Files.readString(err, StandardCharsets.UTF_8));
    Files.deleteIfExists(out);
    Files.deleteIfExists(err);
    return r;
  }
}
