package dev.tandem.protocol;

import java.util.List;

/** The session-era MCP revisions tandem speaks, newest first, and how one is chosen. */
public final class ProtocolVersions {

  public static final String LATEST = "2025-11-25";

  public static final List<String> SUPPORTED =
      List.of("2025-11-25", "2025-06-18", "2025-03-26", "2024-11-05");

  private ProtocolVersions() {}

  /**
   * The lifecycle rule: answer with the client's version when we support it, otherwise with our
   * latest, and let the client decide whether it can go on.
   */
  public static String negotiate(String requested) {
    return requested != null && SUPPORTED.contains(requested) ? requested : LATEST;
  }
}
