package dev.tandem.supervisor.log;

import java.io.PrintStream;
import java.time.Instant;

/**
 * Log lines on stderr, one record per line, so a host that captures a server's stderr (as Claude
 * Desktop and Claude Code do) shows them intact. stdout is the wire and is never written here.
 * Fields come first as key=value pairs so the lines stay greppable and parseable.
 */
public final class Log {

  public enum Level {
    DEBUG,
    INFO,
    WARN,
    ERROR
  }

  private static final PrintStream OUT = System.err;
  private static volatile Level threshold = parse(System.getenv("TANDEM_LOG_LEVEL"));

  private Log() {}

  public static void setThreshold(Level level) {
    threshold = level;
  }

  public static boolean enabled(Level level) {
    return level.ordinal() >= threshold.ordinal();
  }

  public static void debug(String message) {
    write(Level.DEBUG, "", message);
  }

  public static void info(String message) {
    write(Level.INFO, "", message);
  }

  public static void warn(String message) {
    write(Level.WARN, "", message);
  }

  public static void error(String message) {
    write(Level.ERROR, "", message);
  }

  /** A record about one worker; the fields make its lines easy to pick out of an interleaved log. */
  public static void worker(Level level, String pool, int worker, long pid, String message) {
    write(level, "pool=" + pool + " worker=" + worker + " pid=" + pid + " ", message);
  }

  private static void write(Level level, String fields, String message) {
    if (!enabled(level)) return;
    String line =
        Instant.now() + " " + level.name() + " tandem " + fields + message.replace('\n', '\u2424');
    synchronized (OUT) {
      OUT.println(line);
    }
  }

  /** A multi-line block (a Python traceback) kept readable: each line its own record. */
  public static void block(Level level, String heading, String body) {
    if (!enabled(level)) return;
    synchronized (OUT) {
      write(level, "", heading);
      for (String line : body.split("\n")) write(level, "", "  | " + line);
    }
  }

  private static Level parse(String value) {
    if (value == null || value.isBlank()) return Level.INFO;
    try {
      return Level.valueOf(value.trim().toUpperCase());
    } catch (IllegalArgumentException e) {
      return Level.INFO;
    }
  }
}
