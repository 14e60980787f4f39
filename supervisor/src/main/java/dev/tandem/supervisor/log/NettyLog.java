package dev.tandem.supervisor.log;

import io.netty.util.internal.logging.AbstractInternalLogger;
import io.netty.util.internal.logging.InternalLogger;
import io.netty.util.internal.logging.InternalLoggerFactory;

/**
 * Netty's own log records, written through {@link Log} and unable to throw. Left to itself Netty
 * logs through java.util.logging, whose formatter loads time-zone rules from a file the first time
 * it runs: at the file-descriptor limit that load fails, the formatter throws {@code
 * NoClassDefFoundError} on the event loop that was reporting the failed accept, and the acceptor
 * thread dies with it. A log line is never worth a thread, so every record here is best-effort.
 *
 * <p>Netty's warnings and errors become WARN lines and its info records DEBUG ones; its debug and
 * trace records (its settings, probed at start) are dropped, as java.util.logging's default level
 * dropped them before. Installed before any Netty class is loaded ({@link #install}), since each
 * keeps the logger it got in a static field.
 */
public final class NettyLog extends AbstractInternalLogger {

  private static final InternalLoggerFactory FACTORY =
      new InternalLoggerFactory() {
        @Override
        protected InternalLogger newInstance(String name) {
          return new NettyLog(name);
        }
      };

  /**
   * Set when the daemon begins to stop: Netty's complaints about loops being shut are expected
   * then.
   */
  private static volatile boolean stopping;

  private final String shortName;

  private NettyLog(String name) {
    super(name);
    this.shortName = name.substring(name.lastIndexOf('.') + 1);
  }

  public static void install() {
    InternalLoggerFactory.setDefaultFactory(FACTORY);
  }

  /** From now on Netty's warnings are DEBUG lines: a stop is quiet unless asked to say more. */
  public static void stopping() {
    stopping = true;
  }

  private static boolean on(Log.Level level) {
    return Log.enabled(level);
  }

  private void write(Log.Level level, String format, Object[] args, Throwable t) {
    if (stopping) level = Log.Level.DEBUG;
    if (!on(level)) return;
    try {
      StringBuilder b = new StringBuilder("netty ").append(shortName).append(": ");
      substitute(b, format, args);
      if (t != null) b.append(": ").append(t);
      if (level == Log.Level.DEBUG) Log.debug(b.toString());
      else Log.warn(b.toString());
    } catch (Throwable ignored) {
      // See the class comment: nothing a log record needs may take the event loop down.
    }
  }

  /** SLF4J-style "{}" placeholders, as Netty writes its messages. */
  private static void substitute(StringBuilder b, String format, Object[] args) {
    if (format == null) {
      b.append("null");
      return;
    }
    int from = 0;
    int arg = 0;
    while (args != null && arg < args.length) {
      int at = format.indexOf("{}", from);
      if (at < 0) break;
      b.append(format, from, at).append(args[arg++]);
      from = at + 2;
    }
    b.append(format, from, format.length());
  }

  /** A trailing Throwable argument is the record's cause, as in SLF4J. */
  private void log(Log.Level level, String format, Object... args) {
    Throwable t = args.length > 0 && args[args.length - 1] instanceof Throwable last ? last : null;
    write(level, format, args, t);
  }

  @Override
  public boolean isTraceEnabled() {
    return false;
  }

  @Override
  public void trace(String msg) {}

  @Override
  public void trace(String format, Object arg) {}

  @Override
  public void trace(String format, Object a, Object b) {}

  @Override
  public void trace(String format, Object... args) {}

  @Override
  public void trace(String msg, Throwable t) {}

  @Override
  public boolean isDebugEnabled() {
    return false;
  }

  @Override
  public void debug(String msg) {}

  @Override
  public void debug(String format, Object arg) {}

  @Override
  public void debug(String format, Object a, Object b) {}

  @Override
  public void debug(String format, Object... args) {}

  @Override
  public void debug(String msg, Throwable t) {}

  @Override
  public boolean isInfoEnabled() {
    return on(Log.Level.DEBUG);
  }

  @Override
  public void info(String msg) {
    write(Log.Level.DEBUG, msg, null, null);
  }

  @Override
  public void info(String format, Object arg) {
    log(Log.Level.DEBUG, format, arg);
  }

  @Override
  public void info(String format, Object a, Object b) {
    log(Log.Level.DEBUG, format, a, b);
  }

  @Override
  public void info(String format, Object... args) {
    log(Log.Level.DEBUG, format, args);
  }

  @Override
  public void info(String msg, Throwable t) {
    write(Log.Level.DEBUG, msg, null, t);
  }

  @Override
  public boolean isWarnEnabled() {
    return on(Log.Level.WARN);
  }

  @Override
  public void warn(String msg) {
    write(Log.Level.WARN, msg, null, null);
  }

  @Override
  public void warn(String format, Object arg) {
    log(Log.Level.WARN, format, arg);
  }

  @Override
  public void warn(String format, Object a, Object b) {
    log(Log.Level.WARN, format, a, b);
  }

  @Override
  public void warn(String format, Object... args) {
    log(Log.Level.WARN, format, args);
  }

  @Override
  public void warn(String msg, Throwable t) {
    write(Log.Level.WARN, msg, null, t);
  }

  @Override
  public boolean isErrorEnabled() {
    return on(Log.Level.WARN);
  }

  @Override
  public void error(String msg) {
    write(Log.Level.WARN, msg, null, null);
  }

  @Override
  public void error(String format, Object arg) {
    log(Log.Level.WARN, format, arg);
  }

  @Override
  public void error(String format, Object a, Object b) {
    log(Log.Level.WARN, format, a, b);
  }

  @Override
  public void error(String format, Object... args) {
    log(Log.Level.WARN, format, args);
  }

  @Override
  public void error(String msg, Throwable t) {
    write(Log.Level.WARN, msg, null, t);
  }
}
