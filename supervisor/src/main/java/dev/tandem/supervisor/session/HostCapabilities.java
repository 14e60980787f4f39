package dev.tandem.supervisor.session;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.protocol.RpcError;

/**
 * Which client capability each server-to-client request needs, why one is refused, and tandem's own
 * _meta on them.
 */
final class HostCapabilities {

  /** A tool's own name for a question it asks, so a 2026-07-28 host sees it as the input key. */
  static final String INPUT_KEY = "tandem/inputKey";

  private HostCapabilities() {}

  static String requiredFor(String method) {
    return switch (method) {
      case "sampling/createMessage" -> "sampling";
      case "elicitation/create" -> "elicitation";
      case "roots/list" -> "roots";
      default -> null;
    };
  }

  /**
   * Why a session-era host cannot be sent {@code method}: not a request tandem relays, or one whose
   * capability the host did not declare at initialize; null when it can.
   */
  static RpcError refusal(String method, JsonNode clientCapabilities, JsonNode clientInfo) {
    String capability = requiredFor(method);
    if (capability == null) return RpcError.methodNotFound(method);
    if (clientCapabilities.has(capability)) return null;
    String client =
        clientInfo == null ? "the host" : "the host (" + clientInfo.path("name").asText("?") + ")";
    return new RpcError(
        RpcError.METHOD_NOT_FOUND,
        method
            + " is not available: "
            + client
            + " did not declare the '"
            + capability
            + "' capability",
        null);
  }

  /** Removes tandem's input key from a request's _meta (hosts need not see it) and returns it. */
  static String takeInputKey(ObjectNode params) {
    if (!(params.get("_meta") instanceof ObjectNode meta) || !meta.has(INPUT_KEY)) return null;
    String key = meta.path(INPUT_KEY).asText(null);
    meta.remove(INPUT_KEY);
    if (meta.isEmpty()) params.remove("_meta");
    return key;
  }
}
