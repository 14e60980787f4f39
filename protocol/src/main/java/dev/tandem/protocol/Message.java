package dev.tandem.protocol;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * One JSON-RPC 2.0 message as MCP uses it. Ids are kept as the JSON the peer sent (a string or an
 * integer node) so that an answer echoes them byte for byte; params are objects or absent, never
 * arrays, because MCP defines every method's params as an object.
 */
public sealed interface Message extends Decoded
    permits Message.Request, Message.Notification, Message.Response {

  /** A call that expects exactly one answer carrying the same {@code id}. */
  record Request(JsonNode id, String method, ObjectNode params) implements Message {}

  /** A one-way message: it has no id and is never answered. */
  record Notification(String method, ObjectNode params) implements Message {}

  /** The answer to a request: a result or an error, never both. */
  sealed interface Response extends Message permits Result, Failure {
    JsonNode id();
  }

  record Result(JsonNode id, JsonNode result) implements Response {}

  /** An error answer. Its id may be JSON null when the request's own id could not be read. */
  record Failure(JsonNode id, RpcError error) implements Response {}
}
