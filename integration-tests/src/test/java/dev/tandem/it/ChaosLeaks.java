package dev.tandem.it;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The processes a daemon is answerable for: its descendants, sampled while it runs, and any process
 * whose environment carries this run's marker (the workers get it in their pool's env, and whatever
 * a tool starts inherits it, even once re-parented to init). After the daemon is gone none of them
 * may be running.
 */
final class ChaosLeaks {

  static final String MARKER = "TANDEM_CHAOS_RUN";

  private final ProcessHandle daemon;
  private final String marker;
  private final Map<Long, ProcessHandle> seen = new ConcurrentHashMap<>();
  private final Thread sampler;

  ChaosLeaks(ProcessHandle daemon, String markerValue) {
    this.daemon = daemon;
    this.marker = MARKER + "=" + markerValue;
    this.sampler = Thread.ofPlatform().daemon().name("chaos-leaks").start(this::sample);
  }

  private void sample() {
    while (daemon.isAlive()) {
      daemon.descendants().forEach(p -> seen.putIfAbsent(p.pid(), p));
      try {
        Thread.sleep(50); // a sampling period, not a wait for a condition
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  /**
   * The pids still running once the daemon has exited, after {@code settle} for them to go
   * (PR_SET_PDEATHSIG and a worker's own shutdown take a moment). They are then killed, so one
   * scenario's leftovers never count in the next.
   */
  Set<Long> leftAfterExit(Duration settle) throws InterruptedException {
    sampler.interrupt();
    sampler.join(5_000);
    long end = System.nanoTime() + settle.toNanos();
    Set<Long> left = running();
    while (!left.isEmpty() && System.nanoTime() < end) {
      Thread.sleep(50); // polling the process table until the deadline
      left = running();
    }
    for (long pid : left) ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
    return left;
  }

  private Set<Long> running() {
    Set<Long> pids = new TreeSet<>();
    if (daemon.isAlive() && isRunning(daemon.pid())) pids.add(daemon.pid());
    // isAlive() compares start times: a pid given to a later process is not counted.
    for (ProcessHandle p : seen.values()) if (p.isAlive() && isRunning(p.pid())) pids.add(p.pid());
    pids.addAll(carryingMarker());
    return pids;
  }

  private Set<Long> carryingMarker() {
    Set<Long> pids = new TreeSet<>();
    byte[] needle = marker.getBytes(StandardCharsets.UTF_8);
    try (DirectoryStream<Path> procs = Files.newDirectoryStream(Path.of("/proc"), "[0-9]*")) {
      for (Path proc : procs) {
        try {
          byte[] env = Files.readAllBytes(proc.resolve("environ"));
          if (contains(env, needle)) {
            long pid = Long.parseLong(proc.getFileName().toString());
            if (isRunning(pid)) pids.add(pid);
          }
        } catch (IOException | RuntimeException e) {
          // gone, or not ours to read
        }
      }
    } catch (IOException e) {
      throw new IllegalStateException("cannot list /proc", e);
    }
    return pids;
  }

  private static boolean contains(byte[] env, byte[] needle) {
    // Entries are NUL-separated: match a whole entry, so run 1's marker is not found in run 12's.
    outer:
    for (int i = 0; i + needle.length <= env.length; i++) {
      if (i > 0 && env[i - 1] != 0) continue;
      for (int j = 0; j < needle.length; j++) if (env[i + j] != needle[j]) continue outer;
      if (i + needle.length == env.length || env[i + needle.length] == 0) return true;
    }
    return false;
  }

  /** Alive and not a zombie waiting for its parent (or init) to reap it. */
  static boolean isRunning(long pid) {
    try {
      String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
      return stat.charAt(stat.lastIndexOf(')') + 2) != 'Z';
    } catch (IOException e) {
      return false;
    }
  }
}
