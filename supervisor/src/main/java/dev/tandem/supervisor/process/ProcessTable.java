package dev.tandem.supervisor.process;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What Linux's {@code /proc} says about processes: enough to find the members of a process group
 * and to tell a process from a later one that was given the same pid. Java has no {@code
 * killpg(2)}, and a worker's children outlive it re-parented to init, where {@link
 * ProcessHandle#descendants()} no longer finds them; the process group they inherited is what
 * still ties them to the worker.
 */
public final class ProcessTable {

  private static final Path PROC = Path.of("/proc");

  /** A SIGKILLed group whose members keep forking gets this many sweeps, no more. */
  private static final int MAX_SWEEPS = 20;

  private ProcessTable() {}

  /**
   * One line of {@code /proc/PID/stat}. {@code startTicks} is the start time in clock ticks since
   * boot: with the pid, it names one process for the life of the machine.
   */
  public record Entry(long pid, char state, long pgrp, long startTicks) {

    /** Dead and waiting for its parent to reap it, or about to be: nothing left to kill. */
    public boolean dead() {
      return state == 'Z' || state == 'X' || state == 'x';
    }
  }

  public static Optional<Entry> read(long pid) {
    try {
      return Optional.ofNullable(parse(pid, Files.readAllBytes(PROC.resolve(Long.toString(pid)).resolve("stat"))));
    } catch (IOException e) {
      return Optional.empty(); // gone
    }
  }

  /** Every process visible now; one that ends while the table is read is left out. */
  public static List<Entry> all() {
    List<Entry> entries = new ArrayList<>();
    try (DirectoryStream<Path> dir = Files.newDirectoryStream(PROC)) {
      for (Path p : dir) {
        String name = p.getFileName().toString();
        if (name.isEmpty() || name.charAt(0) < '0' || name.charAt(0) > '9') continue;
        read(Long.parseLong(name)).ifPresent(entries::add);
      }
    } catch (IOException e) {
      // No /proc (not Linux): there is nothing this class can find.
    }
    return entries;
  }

  /**
   * SIGKILLs every live member of each group in {@code groups} (process group id → the start
   * ticks of the process that led it), sweeping again while members fork. A group whose id now
   * belongs to a live process that is not its recorded leader was reused: it is left alone, and so
   * is any member older than the leader. Returns how many processes were killed.
   */
  public static int killGroups(Map<Long, Long> groups) {
    long self = ProcessHandle.current().pid();
    int killed = 0;
    for (int sweep = 0; sweep < MAX_SWEEPS; sweep++) {
      List<Entry> table = all();
      int found = 0;
      for (Entry e : table) {
        Long leaderStart = groups.get(e.pgrp());
        if (leaderStart == null || e.dead() || e.pid() == self || e.startTicks() < leaderStart) continue;
        if (reused(table, e.pgrp(), leaderStart)) continue;
        found++;
        if (kill(e)) killed++;
      }
      if (found == 0) break;
    }
    return killed;
  }

  private static boolean reused(List<Entry> table, long pgid, long leaderStart) {
    for (Entry e : table) {
      if (e.pid() == pgid) return e.startTicks() != leaderStart;
    }
    return false;
  }

  /**
   * The handle records the start time the JDK sees now and refuses to signal a different process
   * later; reading the table again after taking it closes the window in which the pid was reused
   * between the sweep and the handle.
   */
  private static boolean kill(Entry e) {
    Optional<ProcessHandle> handle = ProcessHandle.of(e.pid());
    if (handle.isEmpty()) return false;
    Optional<Entry> now = read(e.pid());
    if (now.isEmpty() || now.get().startTicks() != e.startTicks() || now.get().pgrp() != e.pgrp()) return false;
    return handle.get().destroyForcibly();
  }

  /** Fields after the command name, which is in parentheses and may itself hold spaces and ')'. */
  static Entry parse(long pid, byte[] stat) {
    String s = new String(stat, StandardCharsets.US_ASCII);
    int close = s.lastIndexOf(')');
    if (close < 0 || close + 2 >= s.length()) return null;
    String[] f = s.substring(close + 2).split(" ", 21);
    if (f.length < 21) return null;
    // f[0] is field 3 (state), f[2] field 5 (pgrp), f[19] field 22 (starttime).
    return new Entry(pid, f[0].charAt(0), Long.parseLong(f[2]), Long.parseLong(f[19]));
  }
}
