package dev.tandem.supervisor.config;

/**
 * A {@code HOST:PORT} to listen on, as {@code --http} and {@code [http] listen} spell it: an IPv6
 * host goes in brackets ({@code [::1]:8765}); port 0 asks the kernel for a free one.
 */
public record ListenAddress(String host, int port) {

  /** Parses {@code value}; the message of the exception says what a valid one looks like. */
  public static ListenAddress parse(String value) {
    String v = value == null ? "" : value.trim();
    int colon = v.lastIndexOf(':');
    if (colon <= 0 || colon == v.length() - 1) throw invalid(value);
    String host = v.substring(0, colon);
    if (host.startsWith("[") && host.endsWith("]")) host = host.substring(1, host.length() - 1);
    else if (host.contains(":")) throw invalid(value);
    if (host.isEmpty()) throw invalid(value);
    int port;
    try {
      port = Integer.parseInt(v.substring(colon + 1));
    } catch (NumberFormatException e) {
      throw invalid(value);
    }
    if (port < 0 || port > 65535) throw invalid(value);
    return new ListenAddress(host, port);
  }

  private static IllegalArgumentException invalid(String value) {
    return new IllegalArgumentException(
        "\""
            + value
            + "\" is not HOST:PORT; use e.g. 127.0.0.1:8765, localhost:0 (any free port) or [::1]:8765");
  }
}
