package dev.tandem.supervisor.session;

import com.fasterxml.jackson.databind.node.ObjectNode;

/** Which client capability each server-to-client request needs, and tandem's own _meta on them. */
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

  /** Removes tandem's input key from a request's _meta (hosts need not see it) and returns it. */
  static String takeInputKey(ObjectNode params) {
    if (!(params.get("_meta") instanceof ObjectNode meta) || !meta.has(INPUT_KEY)) return null;
    String key = meta.path(INPUT_KEY).asText(null);
    meta.remove(INPUT_KEY);
    if (meta.isEmpty()) params.remove("_meta");
    return key;
  }
}
