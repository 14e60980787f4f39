package dev.tandem.supervisor.session;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tandem.protocol.Decoded;
import dev.tandem.protocol.Message;
import dev.tandem.protocol.ModernEra;
import dev.tandem.supervisor.router.RoutedCall;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One connection that may speak either era, message by message, as the versioning page's dual-era
 * rules say: a request whose {@code _meta} names a protocol version is served statelessly;
 * everything else (initialize and the session it opens, pings, responses to our requests) belongs
 * to the session era. Both may be in use on one stdio pipe at once.
 */
public final class DualEraConnection {

  private final Session legacy;
  private final StatelessServer modern;
  private final Outbound out;
  private final String principal;
  private final Map<JsonNode, RoutedCall> modernInFlight = new ConcurrentHashMap<>();

  public DualEraConnection(Session legacy, StatelessServer modern, Outbound out, String principal) {
    this.legacy = legacy;
    this.modern = modern;
    this.out = out;
    this.principal = principal;
  }

  public void receive(Decoded frame) {
    // No token is checked on stdio, so no principal: one the host names itself is dropped.
    if (frame instanceof Message.Request r) Principal.dropClaimed(r.params());
    if (frame instanceof Message.Request r && ModernEra.isModern(r)) {
      RoutedCall call = modern.handle(r, out, principal);
      if (call != null) {
        modernInFlight.put(r.id(), call);
        call.answer().whenComplete((x, y) -> modernInFlight.remove(r.id(), call));
      }
      return;
    }
    if (frame instanceof Message.Notification n && n.method().equals("notifications/cancelled")) {
      JsonNode id = n.params() == null ? null : n.params().get("requestId");
      RoutedCall call = id == null ? null : modernInFlight.remove(id);
      if (call != null) {
        call.cancel(n.params().path("reason").asText("cancelled by the client"));
        return;
      }
    }
    legacy.receive(frame);
  }
}
