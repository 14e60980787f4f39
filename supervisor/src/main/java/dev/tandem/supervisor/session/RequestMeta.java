package dev.tandem.supervisor.session;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.protocol.Json;
import dev.tandem.protocol.Message;
import dev.tandem.protocol.ModernEra;
import dev.tandem.protocol.RpcError;

/** The per-request {@code _meta} every 2026-07-28 request carries, checked before anything else. */
public final class RequestMeta {

  private RequestMeta() {}

  /**
   * What is wrong with a request's per-request metadata, or null: the revision requires a protocol
   * version this server serves and the client's capabilities on every request. Transports answer
   * these before anything else (HTTP with 400).
   */
  public static RpcError problem(Message.Request request) {
    JsonNode meta = request.params() == null ? null : request.params().get("_meta");
    if (meta == null || !meta.isObject()) {
      return RpcError.invalidParams(
          "a "
              + ModernEra.VERSION
              + " request needs params._meta with \""
              + ModernEra.PROTOCOL_VERSION
              + "\" and \""
              + ModernEra.CLIENT_CAPABILITIES
              + "\"");
    }
    JsonNode version = meta.get(ModernEra.PROTOCOL_VERSION);
    if (version == null || !version.isTextual()) {
      return RpcError.invalidParams(
          "_meta[\""
              + ModernEra.PROTOCOL_VERSION
              + "\"] must name the protocol version, e.g. \""
              + ModernEra.VERSION
              + "\"");
    }
    if (!ModernEra.VERSION.equals(version.asText())) {
      ObjectNode data = Json.object();
      ModernEra.ALL_SUPPORTED.forEach(data.putArray("supported")::add);
      data.set("requested", version);
      return new RpcError(
          ModernEra.UNSUPPORTED_PROTOCOL_VERSION,
          "Unsupported protocol version: "
              + version.asText()
              + "; per-request _meta is served in "
              + ModernEra.VERSION
              + ", older versions through initialize",
          data);
    }
    if (!meta.path(ModernEra.CLIENT_CAPABILITIES).isObject()) {
      return RpcError.invalidParams(
          "a "
              + ModernEra.VERSION
              + " request needs _meta[\""
              + ModernEra.CLIENT_CAPABILITIES
              + "\"], an object ({} when the client has none)");
    }
    return null;
  }
}
