package dev.tandem.protocol;

import com.fasterxml.jackson.databind.JsonNode;

/** The {@code error} member of a JSON-RPC error response. {@code data} may be null. */
public record RpcError(int code, String message, JsonNode data) {

  public static final int PARSE_ERROR = -32700;
  public static final int INVALID_REQUEST = -32600;
  public static final int METHOD_NOT_FOUND = -32601;
  public static final int INVALID_PARAMS = -32602;
  public static final int INTERNAL_ERROR = -32603;

  public static RpcError invalidParams(String message) {
    return new RpcError(INVALID_PARAMS, message, null);
  }

  public static RpcError invalidRequest(String message) {
    return new RpcError(INVALID_REQUEST, message, null);
  }

  public static RpcError methodNotFound(String method) {
    return new RpcError(METHOD_NOT_FOUND, "Method not found: " + method, null);
  }

  public static RpcError internal(String message) {
    return new RpcError(INTERNAL_ERROR, message, null);
  }
}
