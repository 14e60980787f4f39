package dev.tandem.supervisor.transport.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.protocol.Message;
import dev.tandem.supervisor.session.Principal;
import dev.tandem.supervisor.transport.http.auth.ResourceServer;
import dev.tandem.supervisor.transport.http.auth.TokenRefused;
import io.netty.channel.Channel;
import io.netty.handler.codec.http.FullHttpResponse;
import java.util.List;

/**
 * What the MCP endpoint does with the principal {@link OAuthGuard} found, once a message is
 * decoded: a {@code tools/call} whose tool needs scopes the token lacks is refused 403 before it
 * reaches a session or a worker, and every request's {@code _meta["tandem/principal"]} is set to
 * the principal (or removed, without OAuth), so a client can never claim one and a worker only ever
 * sees who the daemon vouches for. The token itself stays here.
 */
final class CallAuthorization {

  static final CallAuthorization NONE = new CallAuthorization(null, null);

  private final ResourceServer server;
  private final OAuthGuard guard;

  private CallAuthorization(ResourceServer server, OAuthGuard guard) {
    this.server = server;
    this.guard = guard;
  }

  static CallAuthorization of(ResourceServer server) {
    return server == null ? NONE : new CallAuthorization(server, new OAuthGuard(server));
  }

  static Principal principal(Channel channel) {
    return channel.attr(OAuthGuard.PRINCIPAL).get();
  }

  /** The refusal for {@code message}, or null once it carries its principal. */
  FullHttpResponse admit(Channel channel, Message message) {
    if (!(message instanceof Message.Request request) || request.params() == null) return null;
    ObjectNode params = request.params();
    Principal principal = principal(channel);
    if (server != null && principal != null && request.method().equals("tools/call")) {
      JsonNode name = params.get("name");
      List<String> needed =
          name != null && name.isTextual() ? server.scopesFor(name.asText()) : List.of();
      List<String> missing = principal.missing(needed);
      if (!missing.isEmpty()) {
        return guard.refusal(
            new TokenRefused(
                TokenRefused.Kind.INSUFFICIENT_SCOPE,
                "tool \""
                    + name.asText()
                    + "\" needs scope "
                    + String.join(" ", missing)
                    + ", which the token lacks; ask the authorization server for a token with it"),
            needed);
      }
    }
    JsonNode meta = params.get("_meta");
    if (principal != null) {
      ObjectNode m = meta instanceof ObjectNode o ? o : params.putObject("_meta");
      m.set(Principal.META_KEY, principal.toJson());
    } else if (meta instanceof ObjectNode o) {
      o.remove(Principal.META_KEY);
    }
    return null;
  }
}
