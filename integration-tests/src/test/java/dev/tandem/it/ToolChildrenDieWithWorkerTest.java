package dev.tandem.it;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Processes a tool starts (a {@code sleep} it forks, and one its shell forks in turn) end with
 * their worker, however the worker or the daemon ends: each worker leads its own process group,
 * killed when the worker exits; after a daemon SIGKILL, the next daemon reaps what was left. A
 * grandchild that calls setsid(2) leaves the group and is out of reach: not tried here.
 */
class ToolChildrenDieWithWorkerTest {

  private static final String FORKS =
      """
      import subprocess, sys
      from tandem import tool

      @tool
      def fork_sleepers(seconds: str) -> str:
          \"\"\"Start a sleep, and a shell that starts another, and leave both running.\"\"\"
          subprocess.Popen(["sleep", seconds])
          subprocess.Popen(["sh", "-c", f"sleep {seconds} & wait"])
          return "forked"
      """;

  @Test
  void killNineOfTheWorkerKillsWhatItsToolStarted(@TempDir Path dir) throws Exception {
    try (Run run = Run.start(dir)) {
      long worker = run.workerPid();
      Answers.signal(worker, "KILL");
      run.awaitNoneLeft();
      // The pool replaced the worker, and the replacement serves.
      await().atMost(Duration.ofSeconds(30)).until(() -> run.workerPid() != worker);
      assertEquals("forked", Answers.text(run.answers.call("again", "fork_sleepers", run.args())));
    }
  }

  @Test
  void sigtermOfTheDaemonLeavesNothingRunning(@TempDir Path dir) throws Exception {
    daemonEndsBy(dir, "TERM");
  }

  @Test
  void sigintOfTheDaemonLeavesNothingRunning(@TempDir Path dir) throws Exception {
    daemonEndsBy(dir, "INT");
  }

  @Test
  void closingTheDaemonsStdinLeavesNothingRunning(@TempDir Path dir) throws Exception {
    daemonEndsBy(dir, null);
  }

  private static void daemonEndsBy(Path dir, String signal) throws Exception {
    try (Run run = Run.start(dir)) {
      if (signal == null) run.daemon.closeStdin();
      else Answers.signal(run.daemon.process().pid(), signal);
      assertEquals(0, run.daemon.awaitExit(Duration.ofSeconds(20)));
      run.awaitNoneLeft();
    }
  }

  @Test
  void afterADaemonSigkillTheNextDaemonReapsWhatItLeft(@TempDir Path dir) throws Exception {
    try (Run first = Run.start(dir)) {
      first.daemon.process().destroyForcibly();
      first.daemon.awaitExit(Duration.ofSeconds(10));
      // PDEATHSIG ended the worker; what its tool started is still there for the next daemon.
      assertEquals(3, first.left(), "the sleeps and the shell are there before the next start");
      try (DaemonProcess next = DaemonProcess.serve(first.config, List.of(), first::environment)) {
        next.initialize();
        first.awaitNoneLeft();
        await()
            .atMost(Duration.ofSeconds(10))
            .until(
                () ->
                    next.stderr().stream()
                        .anyMatch(
                            l ->
                                l.contains(
                                    "left running by daemon " + first.daemon.process().pid())));
      }
    }
  }

  /** A daemon serving FORKS on one worker, after one call that left sleepers running. */
  private static final class Run implements AutoCloseable {
    final Path config;
    final Path runtimeDir;
    final String seconds = "1000." + ThreadLocalRandom.current().nextInt(100_000, 1_000_000);
    final DaemonProcess daemon;
    final Answers answers;

    private Run(Path dir) throws Exception {
      Files.writeString(dir.resolve("forks.py"), FORKS);
      runtimeDir = Files.createDirectories(dir.resolve("runtime"));
      config =
          Tandem.config(
              dir,
              """
          [[pool]]
          name = "forks"
          modules = ["forks"]
          path = "."
          replicas = 1
          spare = 0
          """);
      daemon = DaemonProcess.serve(config, List.of(), this::environment);
      daemon.initialize();
      answers = new Answers(daemon);
      assertEquals("forked", Answers.text(answers.call("fork", "fork_sleepers", args())));
      await().atMost(Duration.ofSeconds(10)).until(() -> left() == 3);
    }

    static Run start(Path dir) throws Exception {
      return new Run(dir);
    }

    void environment(Map<String, String> env) {
      env.put("XDG_RUNTIME_DIR", runtimeDir.toString());
    }

    com.fasterxml.jackson.databind.node.ObjectNode args() {
      return Answers.args().put("seconds", seconds);
    }

    long workerPid() throws Exception {
      for (JsonNode w : answers.pool("forks").path("workers")) {
        if (w.path("state").asText().equalsIgnoreCase("ready")) return w.path("pid").asLong();
      }
      return -1;
    }

    void awaitNoneLeft() {
      await()
          .atMost(Duration.ofSeconds(10))
          .pollInterval(Duration.ofMillis(50))
          .until(() -> left() == 0);
    }

    /** Running processes (not zombies) whose command line names this run's sleep. */
    int left() {
      int n = 0;
      try (DirectoryStream<Path> procs = Files.newDirectoryStream(Path.of("/proc"), "[0-9]*")) {
        for (Path p : procs) {
          try {
            String cmdline = Files.readString(p.resolve("cmdline")).replace('\0', ' ');
            if (cmdline.contains(seconds)
                && DaemonExitLeavesNoWorkerTest.running(
                    ProcessHandle.of(Long.parseLong(p.getFileName().toString())).orElse(null))) n++;
          } catch (IOException | NullPointerException e) {
            // gone while we looked
          }
        }
      } catch (IOException e) {
        throw new AssertionError(e);
      }
      return n;
    }

    @Override
    public void close() {
      daemon.close();
    }
  }
}
