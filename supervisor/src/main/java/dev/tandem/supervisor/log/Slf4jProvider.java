package dev.tandem.supervisor.log;

import org.slf4j.ILoggerFactory;
import org.slf4j.IMarkerFactory;
import org.slf4j.Logger;
import org.slf4j.Marker;
import org.slf4j.event.Level;
import org.slf4j.helpers.BasicMarkerFactory;
import org.slf4j.helpers.LegacyAbstractLogger;
import org.slf4j.helpers.MessageFormatter;
import org.slf4j.helpers.NOPMDCAdapter;
import org.slf4j.spi.MDCAdapter;
import org.slf4j.spi.SLF4JServiceProvider;

/**
 * Where the libraries that log through SLF4J (zt-exec, which starts the workers) write: the
 * daemon's own {@link Log}, so their lines have its format and level, and stderr never gets SLF4J's
 * "no providers were found" warning. A library's info is our debug: it describes the library's
 * work, not the daemon's.
 */
public final class Slf4jProvider implements SLF4JServiceProvider {

  /**
   * Names this provider to SLF4J before its first use. Left to find one, SLF4J asks the class path
   * for every {@code META-INF/services} entry, which opens every jar (netty's fifty in a daemon
   * that may never load netty): about 100 ms of a cold start, measured. Its own notice that it
   * loaded the provider is kept off stderr.
   */
  public static void install() {
    if (System.getProperty("slf4j.provider") == null)
      System.setProperty("slf4j.provider", Slf4jProvider.class.getName());
    if (System.getProperty("slf4j.internal.verbosity") == null)
      System.setProperty("slf4j.internal.verbosity", "WARN");
  }

  private final ILoggerFactory loggers = ToLog::new;
  private final IMarkerFactory markers = new BasicMarkerFactory();
  private final MDCAdapter mdc = new NOPMDCAdapter();

  @Override
  public ILoggerFactory getLoggerFactory() {
    return loggers;
  }

  @Override
  public IMarkerFactory getMarkerFactory() {
    return markers;
  }

  @Override
  public MDCAdapter getMDCAdapter() {
    return mdc;
  }

  @Override
  public String getRequestedApiVersion() {
    return "2.0.99";
  }

  @Override
  public void initialize() {}

  private static final class ToLog extends LegacyAbstractLogger implements Logger {

    ToLog(String name) {
      this.name = name;
    }

    @Override
    public boolean isTraceEnabled() {
      return false;
    }

    @Override
    public boolean isDebugEnabled() {
      return Log.enabled(Log.Level.DEBUG);
    }

    @Override
    public boolean isInfoEnabled() {
      return Log.enabled(Log.Level.DEBUG);
    }

    @Override
    public boolean isWarnEnabled() {
      return Log.enabled(Log.Level.WARN);
    }

    @Override
    public boolean isErrorEnabled() {
      return Log.enabled(Log.Level.ERROR);
    }

    @Override
    protected String getFullyQualifiedCallerName() {
      return null;
    }

    @Override
    protected void handleNormalizedLoggingCall(
        Level level, Marker marker, String pattern, Object[] arguments, Throwable throwable) {
      String line =
          name.substring(name.lastIndexOf('.') + 1)
              + ": "
              + MessageFormatter.basicArrayFormat(pattern, arguments)
              + (throwable == null ? "" : ": " + throwable);
      switch (level) {
        case ERROR -> Log.error(line);
        case WARN -> Log.warn(line);
        default -> Log.debug(line);
      }
    }
  }
}
