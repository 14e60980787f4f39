package dev.tandem.it;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SIGTERM while {@code serve --http} is still starting (config loading, pools starting, the port
 * binding, the runtime file being written) used to exit 1 with a Netty stack trace and "cannot
 * listen" or "cannot serve this configuration", and sometimes left daemon.json naming the dead
 * process. A stop at any of those moments must exit 0, say nothing alarming, remove the runtime
 * file and leave no worker behind. The signal is sent as the n-th start-up log line appears (debug
 * level, so there are many), for n spread over the whole start, which walks it through every phase
 * without guessing at timings.
 */
class SigtermDuringHttpStartTest {

  record Run(int exit, String stderr, boolean runtimeFileLeft, List<ProcessHandle> children) {}

  /**
   * Starts a daemon, sends SIGTERM after the first stderr line {@code when} accepts, returns what
   * it left.
   */
  static Run stopAfterLine(Path config, Path runtimeDir, Predicate<String> when) throws Exception {
    ProcessBuilder pb =
        new ProcessBuilder(
            Tandem.BIN.toString(),
            "serve",
            "--http",
            "127.0.0.1:0",
            "--config",
            config.toString(),
            "--log-level",
            "debug");
    pb.environment().remove("TANDEM_HTTP_TOKEN");
    pb.environment().put("XDG_RUNTIME_DIR", runtimeDir.toString());
    Process p = pb.start();
    p.getOutputStream().close();
    List<String> lines = new CopyOnWriteArrayList<>();
    List<ProcessHandle> children = new CopyOnWriteArrayList<>();
    boolean signalled = false;
    try (BufferedReader r =
        new BufferedReader(new InputStreamReader(p.getErrorStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = r.readLine()) != null) {
        lines.add(line);
        if (!signalled && when.test(line)) {
          p.descendants().forEach(children::add);
          p.toHandle().destroy(); // SIGTERM (Process.destroy would also close the pipe we read)
          signalled = true;
        }
      }
    }
    if (!signalled)
      throw new AssertionError("the daemon ended before the signal:\n" + String.join("\n", lines));
    assertTrue(
        p.waitFor(30, TimeUnit.SECONDS),
        "SIGTERM did not end the daemon:\n" + String.join("\n", lines));
    p.descendants().forEach(children::add);
    return new Run(
        p.exitValue(),
        String.join("\n", lines),
        Files.exists(runtimeDir.resolve("tandem/daemon.json")),
        children);
  }

  static void check(Run run, String where, List<String> failures) {
    if (run.exit() != 0) failures.add(where + ": exit " + run.exit());
    if (run.runtimeFileLeft()) failures.add(where + ": daemon.json left behind");
    run.stderr()
        .lines()
        .filter(ALARMING)
        .findFirst()
        .ifPresent(l -> failures.add(where + ": said " + l));
    await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> run.children().stream().noneMatch(ProcessHandle::isAlive));
  }

  /**
   * What a stop must not say: errors, warnings, stack traces (debug lines may say what they like).
   */
  static final Predicate<String> ALARMING =
      l ->
          l.contains(" ERROR ")
              || l.contains(" WARN ")
              || l.startsWith("\tat ")
              || l.startsWith("Exception")
              || l.contains("cannot listen")
              || l.contains("cannot serve");

  @Test
  void sigtermAtAnyMomentOfStartExitsZeroQuietlyAndRemovesTheRuntimeFile(@TempDir Path dir)
      throws Exception {
    Path config = Tandem.config(dir, Tandem.examplesPool("starting", 1));
    Path runtimeDir = Files.createDirectories(dir.resolve("run"));
    // A start stopped once it listens tells how many lines the phases take (debug lines of the
    // workers interleave, so the count varies a little from run to run).
    Run reference = stopAfterLine(config, runtimeDir, line -> line.contains("listening on"));
    int total =
        (int) reference.stderr().lines().takeWhile(l -> !l.contains("listening on")).count() + 1;
    List<String> failures = new ArrayList<>();
    check(reference, "SIGTERM once listening", failures);
    for (int i = 1; i <= 8; i++) {
      int n = Math.max(1, total * i / 9);
      int[] seen = {0};
      Run run = stopAfterLine(config, runtimeDir, line -> ++seen[0] >= n);
      check(
          run,
          "SIGTERM after line "
              + n
              + " of "
              + total
              + " ("
              + run.stderr().lines().limit(n).reduce((a, b) -> b).orElse("")
              + ")",
          failures);
    }
    assertEquals(List.of(), failures);
  }
}
