package dev.tandem.supervisor.session;

import java.util.List;

/** The syslog severities MCP logging uses (RFC 5424), least severe first. */
final class LogLevel {

  static final List<String> ORDER =
      List.of("debug", "info", "notice", "warning", "error", "critical", "alert", "emergency");

  private LogLevel() {}

  static boolean valid(String level) {
    return ORDER.contains(level);
  }

  /** Whether a message at {@code level} passes a session whose threshold is {@code threshold}. */
  static boolean passes(String level, String threshold) {
    int l = ORDER.indexOf(level);
    return l < 0 || l >= ORDER.indexOf(threshold);
  }
}
