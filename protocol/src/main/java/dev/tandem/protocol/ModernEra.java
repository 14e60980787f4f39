package dev.tandem.protocol;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/**
 * The stateless 2026-07-28 revision: the per-request {@code _meta} keys it defines, its error
 * codes, and the rule that tells its messages from the session era's. A request is modern when its
 * {@code _meta} names a protocol version (versioning page, "A dual-era server selects its behavior
 * from how the client opens"); everything else follows the session era.
 */
public final class ModernEra {

  public static final String VERSION = "2026-07-28";

  public static final String PROTOCOL_VERSION = "io.modelcontextprotocol/protocolVersion";
  public static final String CLIENT_INFO = "io.modelcontextprotocol/clientInfo";
  public static final String CLIENT_CAPABILITIES = "io.modelcontextprotocol/clientCapabilities";
  public static final String LOG_LEVEL = "io.modelcontextprotocol/logLevel";
  public static final String SERVER_INFO = "io.modelcontextprotocol/serverInfo";
  public static final String SUBSCRIPTION_ID = "io.modelcontextprotocol/subscriptionId";

  public static final int HEADER_MISMATCH = -32020;
  public static final int MISSING_REQUIRED_CLIENT_CAPABILITY = -32021;
  public static final int UNSUPPORTED_PROTOCOL_VERSION = -32022;

  /** Every version tandem serves, modern first: what an UnsupportedProtocolVersionError lists. */
  public static final List<String> ALL_SUPPORTED = supported();

  private ModernEra() {}

  public static boolean isModern(Message.Request request) {
    return request.params() != null && request.params().path("_meta").has(PROTOCOL_VERSION);
  }

  /** The version a modern request declares, or null when it is not a string. */
  public static String versionOf(Message.Request request) {
    JsonNode v = request.params().path("_meta").get(PROTOCOL_VERSION);
    return v != null && v.isTextual() ? v.asText() : null;
  }

  private static List<String> supported() {
    var all = new java.util.ArrayList<String>();
    all.add(VERSION);
    all.addAll(ProtocolVersions.SUPPORTED);
    return List.copyOf(all);
  }
}
