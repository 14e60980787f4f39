package dev.tandem.supervisor.log;

import java.io.PrintStream;
import java.time.Instant;
import java.util.Locale;

/**
 * Log lines on stderr, one record per line, so a host that captures a server's stderr (as Claude
 * Desktop and Claude Code do) shows them intact. stdout is the wire and is never written here.
 *
 * <p>Two formats of the same records: {@code text} (the default) puts the fields first as key=value
 * pairs so the lines stay greppable; {@code json} writes one JSON object per line ({@code time},
 * {@code level}, {@code msg}, and {@code pool}/{@code worker}/{@code pid} when the record is about
 * a worker) for a collector (journald, Loki, a container runtime) to parse. {@code --log-format} or
 * {@code TANDEM_LOG_FORMAT} chooses; {@code TANDEM_LOG_LEVEL} the level.
 *
 * <p>Every record is written with the values of known secrets replaced ({@link Secrets}).
 */
public final class Log {

  public enum Level {
    DEBUG,
    INFO,
    WARN,
    ERROR
  }

  public enum Format {
    TEXT,
    JSON
  }

  public static final String LEVEL_ENV = "TANDEM_LOG_LEVEL";
  public static final String FORMAT_ENV = "TANDEM_LOG_FORMAT";

  private static final PrintStream OUT = System.err;
  private static volatile Level threshold =
      orDefault(() -> level(System.getenv(LEVEL_ENV)), Level.INFO);
  private static volatile Format format =
      orDefault(() -> format(System.getenv(FORMAT_ENV)), Format.TEXT);

  private Log() {}

  public static void setThreshold(Level level) {
    threshold = level;
  }

  public static void setFormat(Format value) {
    format = value;
  }

  public static Format format() {
    return format;
  }

  public static boolean enabled(Level level) {
    return level.ordinal() >= threshold.ordinal();
  }

  public static void debug(String message) {
    write(Level.DEBUG, null, 0, 0, message, null);
  }

  public static void info(String message) {
    write(Level.INFO, null, 0, 0, message, null);
  }

  public static void warn(String message) {
    write(Level.WARN, null, 0, 0, message, null);
  }

  public static void error(String message) {
    write(Level.ERROR, null, 0, 0, message, null);
  }

  /**
   * A record about one worker; the fields make its lines easy to pick out of an interleaved log.
   */
  public static void worker(Level level, String pool, int worker, long pid, String message) {
    write(level, pool, worker, pid, message, null);
  }

  /**
   * A multi-line block (a Python traceback) kept readable: in text each line is its own record; in
   * JSON it is one record whose {@code detail} holds the block, as collectors expect.
   */
  public static void block(Level level, String heading, String body) {
    if (!enabled(level)) return;
    if (format == Format.JSON) {
      write(level, null, 0, 0, heading, body);
      return;
    }
    synchronized (OUT) {
      write(level, null, 0, 0, heading, null);
      for (String line : body.split("\n")) write(level, null, 0, 0, "  | " + line, null);
    }
  }

  private static void write(
      Level level, String pool, int worker, long pid, String message, String detail) {
    if (!enabled(level)) return;
    // Here, past the threshold: a record nobody sees costs no scan.
    message = Secrets.redact(message);
    detail = Secrets.redact(detail);
    String line =
        format == Format.JSON
            ? json(level, pool, worker, pid, message, detail)
            : text(level, pool, worker, pid, message);
    synchronized (OUT) {
      OUT.println(line);
    }
  }

  static String text(Level level, String pool, int worker, long pid, String message) {
    StringBuilder b = new StringBuilder(80 + message.length());
    timestamp(b, Instant.now());
    b.append(' ').append(level.name()).append(" tandem ");
    if (pool != null)
      b.append("pool=")
          .append(pool)
          .append(" worker=")
          .append(worker)
          .append(" pid=")
          .append(pid)
          .append(' ');
    for (int i = 0; i < message.length(); i++) {
      char c = message.charAt(i);
      b.append(c == '\n' ? '\u2424' : c);
    }
    return b.toString();
  }

  static String json(
      Level level, String pool, int worker, long pid, String message, String detail) {
    StringBuilder b = new StringBuilder(96 + message.length());
    b.append("{\"time\":\"");
    timestamp(b, Instant.now());
    b.append("\",\"level\":\"")
        .append(level.name().toLowerCase(Locale.ROOT))
        .append("\",\"logger\":\"tandem\"");
    if (pool != null) {
      b.append(",\"pool\":");
      quote(b, pool);
      b.append(",\"worker\":").append(worker).append(",\"pid\":").append(pid);
    }
    b.append(",\"msg\":");
    quote(b, message);
    if (detail != null) {
      b.append(",\"detail\":");
      quote(b, detail);
    }
    return b.append('}').toString();
  }

  /** The date and time of the last second a record was written in, as Instant.toString has it. */
  private record Second(long epochSecond, String text) {}

  private static volatile Second lastSecond = new Second(Long.MIN_VALUE, "");

  /**
   * Appends {@code Instant.toString()} of {@code t} (ISO-8601, the fraction in groups of three
   * digits, as many as needed). Formatting it through {@code DateTimeFormatter} for every record
   * was 14% of the stderr relay thread's samples; the date and time change once a second.
   */
  static void timestamp(StringBuilder b, Instant t) {
    long epochSecond = t.getEpochSecond();
    Second s = lastSecond;
    if (s.epochSecond() != epochSecond) {
      String whole = Instant.ofEpochSecond(epochSecond).toString(); // no fraction: ends in "Z"
      s = new Second(epochSecond, whole.substring(0, whole.length() - 1));
      lastSecond = s;
    }
    b.append(s.text());
    int nanos = t.getNano();
    if (nanos != 0) {
      b.append('.');
      if (nanos % 1_000_000 == 0) digits(b, nanos / 1_000_000, 3);
      else if (nanos % 1_000 == 0) digits(b, nanos / 1_000, 6);
      else digits(b, nanos, 9);
    }
    b.append('Z');
  }

  private static void digits(StringBuilder b, int value, int width) {
    for (int div = width == 3 ? 100 : width == 6 ? 100_000 : 100_000_000; div > 0; div /= 10) {
      b.append((char) ('0' + value / div % 10));
    }
  }

  /** JSON string escaping (RFC 8259 §7): quote, backslash and control characters. */
  private static void quote(StringBuilder b, String s) {
    b.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> b.append("\\\"");
        case '\\' -> b.append("\\\\");
        case '\n' -> b.append("\\n");
        case '\r' -> b.append("\\r");
        case '\t' -> b.append("\\t");
        default -> {
          if (c < 0x20) b.append(String.format("\\u%04x", (int) c));
          else b.append(c);
        }
      }
    }
    b.append('"');
  }

  /** Parses a level name (debug, info, warn, error); the message lists the valid ones. */
  public static Level level(String value) {
    if (value == null || value.isBlank()) return null;
    String v = value.trim().toUpperCase(Locale.ROOT);
    if (v.equals("WARNING")) return Level.WARN;
    try {
      return Level.valueOf(v);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "unknown log level \"" + value + "\"; use debug, info, warn or error");
    }
  }

  /** Parses a format name (text, json); the message lists the valid ones. */
  public static Format format(String value) {
    if (value == null || value.isBlank()) return null;
    try {
      return Format.valueOf(value.trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("unknown log format \"" + value + "\"; use text or json");
    }
  }

  /** The environment never stops the daemon: a bad TANDEM_LOG_* falls back to the default. */
  private static <T> T orDefault(java.util.function.Supplier<T> parse, T dflt) {
    try {
      T v = parse.get();
      return v == null ? dflt : v;
    } catch (IllegalArgumentException e) {
      return dflt;
    }
  }
}
