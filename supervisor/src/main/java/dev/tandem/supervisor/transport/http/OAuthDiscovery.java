package dev.tandem.supervisor.transport.http;

import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;

/**
 * The paths an MCP host probes for OAuth (the authorization page: RFC 9728 protected-resource
 * metadata, RFC 8414 / OpenID discovery, RFC 7591 dynamic client registration) are answered 404
 * ahead of the token check. tandem does not do OAuth; answering them 401 like any other path made
 * hosts conclude that OAuth was on offer and fail at client registration ("Dynamic Client
 * Registration rejected (HTTP 401)"), where a 404 tells them to use the bearer token they were
 * configured with.
 */
final class OAuthDiscovery extends Gate {

  private final String advice;

  OAuthDiscovery(boolean tokenSet) {
    this.advice =
        tokenSet
            ? "send Authorization: Bearer <token> (the [http] token or TANDEM_HTTP_TOKEN it was started with)"
            : "it needs no authorization";
  }

  static boolean isDiscovery(String path) {
    return path.startsWith("/.well-known/oauth-protected-resource")
        || path.startsWith("/.well-known/oauth-authorization-server")
        || path.startsWith("/.well-known/openid-configuration")
        || path.endsWith("/.well-known/openid-configuration")
        || path.equals("/register");
  }

  @Override
  protected FullHttpResponse refuse(HttpRequest request) {
    String path = Endpoints.pathOf(request.uri());
    if (!isDiscovery(path)) return null;
    return HttpReplies.error(
        HttpResponseStatus.NOT_FOUND,
        HttpReplies.REFUSED,
        "Not Found: " + path + "; this server does not offer OAuth: " + advice);
  }
}
