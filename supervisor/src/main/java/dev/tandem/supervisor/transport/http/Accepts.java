package dev.tandem.supervisor.transport.http;

import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What a request's {@code Accept} header allows of the two bodies this transport sends. No header
 * means anything (RFC 9110 §12.5.1); a range with {@code q=0} means "not this".
 */
record Accepts(boolean json, boolean eventStream) {

  private static final Accepts BOTH = new Accepts(true, true);

  /**
   * Parsed headers by their text: a client sends the same Accept on every request, and splitting it
   * each time was ~2% of the event loops' time under load. Bounded: past the limit, new texts are
   * parsed and not kept.
   */
  private static final Map<String, Accepts> SEEN = new ConcurrentHashMap<>();

  private static final int SEEN_LIMIT = 64;

  static Accepts of(String header) {
    if (header == null) return BOTH;
    Accepts known = SEEN.get(header);
    if (known != null) return known;
    Accepts parsed = parse(header);
    if (SEEN.size() < SEEN_LIMIT) SEEN.put(header, parsed);
    return parsed;
  }

  private static Accepts parse(String header) {
    if (header.isBlank()) return BOTH;
    boolean json = false;
    boolean events = false;
    for (String range : header.split(",")) {
      String[] parts = range.split(";");
      String type = parts[0].trim().toLowerCase(Locale.ROOT);
      if (refused(parts)) continue;
      switch (type) {
        case "*/*" -> {
          json = true;
          events = true;
        }
        case "application/*", HttpReplies.JSON -> json = true;
        case "text/*", HttpReplies.EVENT_STREAM -> events = true;
        default -> {}
      }
    }
    return new Accepts(json, events);
  }

  private static boolean refused(String[] parts) {
    for (int i = 1; i < parts.length; i++) {
      String p = parts[i].trim().toLowerCase(Locale.ROOT);
      if (p.startsWith("q=")) {
        try {
          return Double.parseDouble(p.substring(2)) <= 0;
        } catch (NumberFormatException e) {
          return false;
        }
      }
    }
    return false;
  }

  /** Whether a Content-Type names JSON, whatever its parameters (charset). */
  static boolean isJson(String contentType) {
    if (contentType == null) return false;
    int semi = contentType.indexOf(';');
    String essence =
        (semi < 0 ? contentType : contentType.substring(0, semi)).trim().toLowerCase(Locale.ROOT);
    return essence.equals(HttpReplies.JSON);
  }
}
