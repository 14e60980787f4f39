package dev.tandem.supervisor.process;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a daemon killed with SIGKILL left running is reaped by the next, and nothing else is. */
class GroupLedgerTest {

  @TempDir Path dir;
  private Process leftover;

  @AfterEach
  void cleanUp() {
    if (leftover != null) leftover.destroyForcibly();
  }

  /** A process leading its own group, as a worker does; returns its start ticks. */
  private long startLeader() throws Exception {
    leftover = new ProcessBuilder("setsid", "sleep", "1000").start();
    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () ->
                ProcessTable.read(leftover.pid())
                    .map(e -> e.pgrp() == leftover.pid())
                    .orElse(false));
    return ProcessTable.read(leftover.pid()).orElseThrow().startTicks();
  }

  private static String bootId() throws Exception {
    return Files.readString(Path.of("/proc/sys/kernel/random/boot_id")).trim();
  }

  /** A pid no process has now, for a daemon that is gone. */
  private static long deadPid() {
    long pid = 4_000_000;
    while (ProcessHandle.of(pid).isPresent()) pid--;
    return pid;
  }

  @Test
  void theGroupsOfADaemonThatIsGoneAreKilledAndItsFileRemoved() throws Exception {
    long start = startLeader();
    Path file = dir.resolve("123.groups");
    Files.writeString(
        file,
        "daemon " + deadPid() + " 1 " + bootId() + "\n" + leftover.pid() + " " + start + "\n");
    assertEquals(1, GroupLedger.in(dir).reapLeftovers());
    assertTrue(leftover.waitFor(10, java.util.concurrent.TimeUnit.SECONDS));
    assertFalse(Files.exists(file));
  }

  @Test
  void aLiveDaemonsGroupsAreLeftAlone() throws Exception {
    long start = startLeader();
    long self = ProcessHandle.current().pid();
    long selfStart = ProcessTable.read(self).orElseThrow().startTicks();
    Path file = dir.resolve(self + ".groups");
    Files.writeString(
        file,
        "daemon "
            + self
            + " "
            + selfStart
            + " "
            + bootId()
            + "\n"
            + leftover.pid()
            + " "
            + start
            + "\n");
    assertEquals(0, GroupLedger.in(dir).reapLeftovers());
    assertTrue(leftover.isAlive());
    assertTrue(Files.exists(file));
  }

  @Test
  void aGroupIdNowLedByAnotherProcessIsLeftAlone() throws Exception {
    long start = startLeader();
    // The recorded leader started earlier than the process that has its pid now: the pid was
    // reused.
    Files.writeString(
        dir.resolve("1.groups"),
        "daemon "
            + deadPid()
            + " 1 "
            + bootId()
            + "\n"
            + leftover.pid()
            + " "
            + (start - 1)
            + "\n");
    assertEquals(0, GroupLedger.in(dir).reapLeftovers());
    assertTrue(leftover.isAlive());
  }

  @Test
  void aLedgerFromBeforeTheLastBootIsDroppedUnread() throws Exception {
    long start = startLeader();
    Path file = dir.resolve("7.groups");
    Files.writeString(
        file, "daemon " + deadPid() + " 1 another-boot\n" + leftover.pid() + " " + start + "\n");
    assertEquals(0, GroupLedger.in(dir).reapLeftovers());
    assertTrue(leftover.isAlive());
    assertFalse(Files.exists(file));
  }

  @Test
  void recordsAreWrittenPrivatelyAndACleanExitRemovesThem() throws Exception {
    GroupLedger ledger = GroupLedger.in(dir.resolve("children"));
    ledger.record(4242, 99);
    Path file = dir.resolve("children").resolve(ProcessHandle.current().pid() + ".groups");
    List<String> lines = Files.readAllLines(file);
    assertTrue(
        lines.get(0).startsWith("daemon " + ProcessHandle.current().pid() + " "), lines.toString());
    assertEquals("4242 99", lines.get(1));
    assertEquals(
        "rw-------",
        java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
    assertEquals(
        "rwx------",
        java.nio.file.attribute.PosixFilePermissions.toString(
            Files.getPosixFilePermissions(file.getParent())));
    ledger.close();
    assertFalse(Files.exists(file));
  }
}
