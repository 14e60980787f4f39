package dev.tandem.supervisor.process;

import java.io.FileInputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;

/**
 * What Linux's {@code /proc} says about processes: enough to find the members of a process group
 * and to tell a process from a later one that was given the same pid. Java has no {@code
 * killpg(2)}, and a worker's children outlive it re-parented to init, where {@link
 * ProcessHandle#descendants()} no longer finds them; the process group they inherited is what still
 * ties them to the worker.
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
    return Optional.ofNullable(read(pid, new byte[STAT_BYTES]));
  }

  /**
   * Every process visible now; one that ends while the table is read is left out. One buffer and no
   * parsing into strings: a worker's death sweeps the table while its pool fails over, on a machine
   * that may be busy, so the sweep is kept to the system calls it needs.
   */
  public static List<Entry> all() {
    String[] names = PROC.toFile().list();
    if (names == null) return List.of(); // no /proc (not Linux): there is nothing to find
    List<Entry> entries = new ArrayList<>(names.length);
    byte[] buffer = new byte[STAT_BYTES];
    for (String name : names) {
      char first = name.charAt(0);
      if (first < '0' || first > '9') continue;
      Entry e = read(Long.parseLong(name), buffer);
      if (e != null) entries.add(e);
    }
    return entries;
  }

  /** {@code /proc/PID/stat} is one line, well under this even with a 64-byte command name. */
  private static final int STAT_BYTES = 1024;

  private static Entry read(long pid, byte[] buffer) {
    int n;
    try (FileInputStream in = new FileInputStream("/proc/" + pid + "/stat")) {
      n = in.readNBytes(buffer, 0, buffer.length);
    } catch (IOException e) {
      return null; // gone
    }
    return parse(pid, buffer, n);
  }

  /**
   * How a process that is dead but not yet reaped ended, in the JDK's terms (the exit value, or 128
   * + the signal that killed it), from field 52 of {@code /proc/PID/stat} (Linux 3.5+, readable by
   * its parent): empty while it runs, once it is reaped, or if the pid now names a later process.
   */
  public static OptionalInt zombieExitValue(long pid, long startTicks) {
    byte[] buffer = new byte[STAT_BYTES];
    int n;
    try (FileInputStream in = new FileInputStream("/proc/" + pid + "/stat")) {
      n = in.readNBytes(buffer, 0, buffer.length);
    } catch (IOException e) {
      return OptionalInt.empty(); // reaped
    }
    return zombieExitValue(pid, startTicks, buffer, n);
  }

  static OptionalInt zombieExitValue(long pid, long startTicks, byte[] stat, int length) {
    Entry e = parse(pid, stat, length);
    if (e == null || e.state() != 'Z' || e.startTicks() != startTicks) return OptionalInt.empty();
    long status = field(stat, length, 52);
    if (status < 0) return OptionalInt.empty();
    int signal = (int) (status & 0x7f);
    // waitpid's encoding: a signal in the low seven bits, else the exit status in the next byte.
    return OptionalInt.of(signal == 0 ? (int) ((status >> 8) & 0xff) : 0x80 + signal);
  }

  /** Field {@code wanted} (numbered as in proc(5), 3 or more) of a stat line, or -1. */
  private static long field(byte[] stat, int length, int wanted) {
    int i = length - 1;
    while (i >= 0 && stat[i] != ')') i--;
    if (i < 0) return -1;
    i += 2;
    for (int field = 3; i < length; field++) {
      int end = i;
      while (end < length && stat[end] != ' ' && stat[end] != '\n') end++;
      if (field == wanted) return end > i ? number(stat, i, end) : -1;
      i = end + 1;
    }
    return -1;
  }

  /**
   * SIGKILLs every live member of each group in {@code groups} (process group id → the start ticks
   * of the process that led it), sweeping again while members fork. A group whose id now belongs to
   * a live process that is not its recorded leader was reused: it is left alone, and so is any
   * member older than the leader. Returns how many processes were killed (one SIGKILLed a moment
   * ago may still show as running in the next sweep and be signalled again).
   */
  public static int killGroups(Map<Long, Long> groups) {
    long self = ProcessHandle.current().pid();
    Set<Long> killed = new HashSet<>();
    for (int sweep = 0; sweep < MAX_SWEEPS; sweep++) {
      List<Entry> table = all();
      int found = 0;
      for (Entry e : table) {
        Long leaderStart = groups.get(e.pgrp());
        if (leaderStart == null || e.dead() || e.pid() == self || e.startTicks() < leaderStart)
          continue;
        if (reused(table, e.pgrp(), leaderStart)) continue;
        found++;
        if (kill(e)) killed.add(e.pid());
      }
      if (found == 0) break;
    }
    return killed.size();
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
    if (now.isEmpty() || now.get().startTicks() != e.startTicks() || now.get().pgrp() != e.pgrp())
      return false;
    return handle.get().destroyForcibly();
  }

  /**
   * Fields 3 (state), 5 (pgrp) and 22 (starttime), counted after the command name, which is in
   * parentheses and may itself hold spaces and ')'.
   */
  static Entry parse(long pid, byte[] stat, int length) {
    int i = length - 1;
    while (i >= 0 && stat[i] != ')') i--;
    if (i < 0 || i + 2 >= length) return null;
    i += 2;
    char state = (char) stat[i];
    long pgrp = 0;
    long start = 0;
    for (int field = 3; field <= 22 && i < length; field++) {
      int end = i;
      while (end < length && stat[end] != ' ') end++;
      if (field == 5) pgrp = number(stat, i, end);
      if (field == 22) start = number(stat, i, end);
      i = end + 1;
    }
    return start == 0 ? null : new Entry(pid, state, pgrp, start);
  }

  private static long number(byte[] b, int from, int to) {
    long v = 0;
    boolean negative = from < to && b[from] == '-';
    for (int i = negative ? from + 1 : from; i < to; i++) v = v * 10 + (b[i] - '0');
    return negative ? -v : v;
  }
}
