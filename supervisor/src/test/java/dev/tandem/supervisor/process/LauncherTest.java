package dev.tandem.supervisor.process;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Real processes through the launcher: their pipes, their exit, their process group. */
class LauncherTest {

  @TempDir Path dir;

  /** Records what the launcher reports, and what had been read when the exit was reported. */
  static final class Recorder implements Child.Events {
    final CompletableFuture<Child> started = new CompletableFuture<>();
    final List<String> stdout = new CopyOnWriteArrayList<>();
    final List<String> stderr = new CopyOnWriteArrayList<>();
    final CompletableFuture<Integer> exited = new CompletableFuture<>();
    final AtomicInteger exits = new AtomicInteger();
    volatile List<String> stderrAtExit;
    volatile List<String> stdoutAtExit;

    @Override
    public void started(Child child) {
      started.complete(child);
    }

    @Override
    public void stdout(InputStream in) {
      try (BufferedReader r =
          new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
        String line;
        while ((line = r.readLine()) != null) stdout.add(line);
      } catch (IOException e) {
        stdout.add("closed: " + e.getMessage());
      }
    }

    @Override
    public void stdoutEnded() {}

    @Override
    public void stderrLine(String line) {
      stderr.add(line);
    }

    @Override
    public void exited(int exitValue) {
      exits.incrementAndGet();
      stdoutAtExit = List.copyOf(stdout);
      stderrAtExit = List.copyOf(stderr);
      exited.complete(exitValue);
    }
  }

  private Child start(Recorder events, String script) throws IOException {
    Launcher launcher = new Launcher(GroupLedger.in(dir));
    return launcher.start(
        new ChildSpec("test-child", List.of("sh", "-c", script), Map.of("GREETING", "hello"), null),
        events);
  }

  @Test
  void exitIsReportedThroughTheListenerAfterTheLastLinesOfBothPipes() throws Exception {
    Recorder events = new Recorder();
    Child child =
        start(events, "echo $GREETING; echo 'last words' >&2; printf 'no newline' >&2; exit 7");
    assertEquals(child, events.started.getNow(null), "started is told before start returns");
    assertEquals(7, events.exited.get(10, TimeUnit.SECONDS));
    assertEquals(List.of("hello"), events.stdoutAtExit);
    assertEquals(List.of("last words", "no newline"), events.stderrAtExit);
    assertEquals(7, child.gone().get(10, TimeUnit.SECONDS));
    // Seen by the stdout reader and by zt-exec's wait for the process: told once all the same.
    assertEquals(1, events.exits.get(), "the exit is told once");
  }

  @Test
  void aKilledChildIsReportedWithItsSignalAndWhatItStartedDiesWithIt() throws Exception {
    Recorder events = new Recorder();
    // The sleep inherits both pipes, as a tool's subprocess does: the pipes end only when it does.
    Child child = start(events, "sleep 1000 & echo $!; wait");
    await().atMost(Duration.ofSeconds(10)).until(() -> !events.stdout.isEmpty());
    long sleeper = Long.parseLong(events.stdout.get(0));
    assertEquals(
        child.pid(),
        ProcessTable.read(child.pid()).orElseThrow().pgrp(),
        "the child leads its own group");
    assertEquals(
        child.pid(),
        ProcessTable.read(sleeper).orElseThrow().pgrp(),
        "what it starts inherits the group");

    child.kill();
    assertEquals(128 + 9, events.exited.get(10, TimeUnit.SECONDS));
    child.gone().get(10, TimeUnit.SECONDS);
    assertTrue(
        ProcessTable.read(sleeper).map(ProcessTable.Entry::dead).orElse(true), "the sleep is gone");
  }

  @Test
  void aChildGivenExactlyAnEnvironmentSeesNothingOfTheDaemons() throws Exception {
    Recorder events = new Recorder();
    new Launcher(GroupLedger.in(dir))
        .start(
            new ChildSpec(
                "env-child",
                List.of("/usr/bin/env"),
                ChildSpec.exactly(Map.of("ONLY", "this")),
                null),
            events);
    assertEquals(0, events.exited.get(10, TimeUnit.SECONDS));
    assertEquals(List.of("ONLY=this"), events.stdoutAtExit);
  }

  @Test
  void aProgramThatCannotRunIsRefusedAtStartWithTheReason() {
    IOException e =
        assertThrows(
            IOException.class,
            () ->
                new Launcher(GroupLedger.in(dir))
                    .start(
                        new ChildSpec(
                            "ghost", List.of("/no/such/server", "--stdio"), Map.of(), null),
                        new Recorder()));
    assertTrue(
        e.getMessage().contains("/no/such/server: No such file or directory"), e.getMessage());
    IOException onPath =
        assertThrows(
            IOException.class,
            () -> Launcher.run(List.of("no-such-program-here"), Duration.ofSeconds(5)));
    assertTrue(onPath.getMessage().contains("not found on PATH"), onPath.getMessage());
  }

  @Test
  void aShortCommandAnswersWithWhatItPrintedAndItsExitValue() throws Exception {
    Launcher.Answer answer =
        Launcher.run(List.of("sh", "-c", "echo out; echo err >&2; exit 3"), Duration.ofSeconds(30));
    assertEquals(3, answer.exitValue());
    assertTrue(answer.output().contains("out") && answer.output().contains("err"), answer.output());
  }

  @Test
  void aShortCommandThatDoesNotEndIsKilledAndReportedAsATimeout() {
    assertThrows(
        TimeoutException.class,
        () -> Launcher.run(List.of("sleep", "1000"), Duration.ofMillis(300)));
  }
}
