package dev.tandem.supervisor.cli;

import dev.tandem.supervisor.log.Log;
import picocli.CommandLine.Option;

/** {@code --log-level} and {@code --log-format}, over TANDEM_LOG_LEVEL and TANDEM_LOG_FORMAT. */
final class LogOptions {

  @Option(
      names = "--log-level",
      paramLabel = "LEVEL",
      description =
          "debug, info, warn or error (default: $TANDEM_LOG_LEVEL, else info for serve, warn for the rest)")
  String level;

  @Option(
      names = "--log-format",
      paramLabel = "FORMAT",
      description =
          "text or json: one JSON object per line on stderr (default: $TANDEM_LOG_FORMAT, else text)")
  String format;

  /**
   * Applies the flags, else the variables, else {@code quietLevel} (serve logs at info; the
   * one-shot commands keep the terminal for their answer). A misspelt value is an error here,
   * naming the flag or variable, rather than a silent fallback.
   */
  void apply(Log.Level quietLevel) {
    Log.Level l = checked(() -> Log.level(level), "--log-level");
    if (l == null) l = checked(() -> Log.level(System.getenv(Log.LEVEL_ENV)), Log.LEVEL_ENV);
    Log.setThreshold(l != null ? l : quietLevel);
    Log.Format f = checked(() -> Log.format(format), "--log-format");
    if (f == null) f = checked(() -> Log.format(System.getenv(Log.FORMAT_ENV)), Log.FORMAT_ENV);
    Log.setFormat(f != null ? f : Log.Format.TEXT);
  }

  private static <T> T checked(java.util.function.Supplier<T> parse, String origin) {
    try {
      return parse.get();
    } catch (IllegalArgumentException e) {
      throw new Main.UsageException(origin + ": " + e.getMessage());
    }
  }
}
