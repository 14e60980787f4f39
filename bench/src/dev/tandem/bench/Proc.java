package dev.tandem.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/** What /proc says about a process and the machine. Linux only, as tandem's supervision is. */
final class Proc {

  private Proc() {}

  /** Waits up to 10 s for a server asked to stop, then kills it and whatever it started. */
  static void reap(Process process) {
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        process.waitFor(5, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** VmRSS of a process in bytes, or -1 if it is gone. */
  static long rssBytes(long pid) {
    return statusField(pid, "VmRSS:");
  }

  /** VmHWM: the peak resident set since the process started. */
  static long peakRssBytes(long pid) {
    return statusField(pid, "VmHWM:");
  }

  private static long statusField(long pid, String field) {
    try {
      for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
        if (line.startsWith(field)) {
          String kb = line.substring(field.length()).trim().split("\\s+")[0];
          return Long.parseLong(kb) * 1024;
        }
      }
    } catch (IOException | RuntimeException e) {
      return -1;
    }
    return -1;
  }

  /** The 1-minute load average, and the 5- and 15-minute ones, as /proc/loadavg prints them. */
  static String loadAverage() {
    try {
      String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
      return f[0] + " " + f[1] + " " + f[2];
    } catch (IOException e) {
      return "?";
    }
  }

  static String cpuModel() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
        if (line.startsWith("model name")) return line.substring(line.indexOf(':') + 1).trim();
      }
    } catch (IOException e) {
      // fall through
    }
    return "?";
  }

  /** The executable a process runs (for tandem: which JDK bin/tandem picked). */
  static String executable(long pid) {
    try {
      return Files.readSymbolicLink(Path.of("/proc", Long.toString(pid), "exe")).toString();
    } catch (IOException | UnsupportedOperationException e) {
      return "?";
    }
  }

  /**
   * Samples a process's RSS every few milliseconds on a daemon thread until closed, keeping the
   * peak: VmHWM alone would also count what earlier scenarios left behind.
   */
  static final class RssSampler implements AutoCloseable {
    private final AtomicLong peak = new AtomicLong(-1);
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final Thread thread;

    RssSampler(long pid) {
      thread = new Thread(() -> {
        while (running.get()) {
          long rss = rssBytes(pid);
          peak.accumulateAndGet(rss, Math::max);
          try {
            Thread.sleep(5);
          } catch (InterruptedException e) {
            return;
          }
        }
      }, "rss-" + pid);
      thread.setDaemon(true);
      thread.start();
    }

    long peak() {
      return peak.get();
    }

    @Override
    public void close() {
      running.set(false);
      thread.interrupt();
      try {
        thread.join(1000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
