package dev.tandem.supervisor.transport.http;

import dev.tandem.supervisor.log.Log;
import dev.tandem.supervisor.session.Principal;
import dev.tandem.supervisor.transport.http.auth.ResourceServer;
import dev.tandem.supervisor.transport.http.auth.TokenRefused;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.AttributeKey;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * {@code [http.auth]}: the OAuth resource server's gate, in place of {@link OAuthDiscovery} and
 * {@link BearerTokenGuard}. It answers the protected resource metadata itself (before any token: it
 * is how a client learns where to get one), and lets a request on only with a valid access token,
 * setting {@link #PRINCIPAL} on the channel for the endpoints behind it.
 *
 * <p>A token the cache can answer for is checked on the event loop; one that needs the
 * authorization server (new keys, introspection) is checked off it. Meanwhile the connection stops
 * reading and what already arrived of the request is held, then passed on or released in order.
 * Like {@link Gate}, a refused request's body is discarded as it arrives, never buffered.
 */
final class OAuthGuard extends ChannelInboundHandlerAdapter {

  /** The principal of the request being handled on this connection (requests come one by one). */
  static final AttributeKey<Principal> PRINCIPAL = AttributeKey.valueOf("tandem.principal");

  private final ResourceServer server;
  private ArrayDeque<Object> held;
  private boolean discarding;

  OAuthGuard(ResourceServer server) {
    this.server = server;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (held != null) {
      held.add(msg);
      return;
    }
    if (msg instanceof HttpRequest request) {
      onRequest(ctx, request);
      return;
    }
    if (discarding && msg instanceof HttpContent content) {
      if (content instanceof LastHttpContent) discarding = false;
      ReferenceCountUtil.release(msg);
      return;
    }
    ctx.fireChannelRead(msg);
  }

  private void onRequest(ChannelHandlerContext ctx, HttpRequest request) {
    discarding = false;
    ctx.channel().attr(PRINCIPAL).set(null);
    if (Endpoints.isProbe(request.uri())) {
      ctx.fireChannelRead(request);
      return;
    }
    String path = Endpoints.pathOf(request.uri());
    if (server.isMetadataPath(path)) {
      answer(ctx, request, metadata(request));
      return;
    }
    if (OAuthDiscovery.isDiscovery(path)) {
      refuse(
          ctx,
          request,
          HttpReplies.error(
              HttpResponseStatus.NOT_FOUND,
              HttpReplies.REFUSED,
              "Not Found: "
                  + path
                  + "; this server is an OAuth resource server, not an authorization server: "
                  + "its metadata at "
                  + server.metadataUrl()
                  + " names the authorization server to ask"));
      return;
    }
    String header = request.headers().get(HttpHeaderNames.AUTHORIZATION);
    if (header == null || header.length() < 8 || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
      refuse(
          ctx,
          request,
          refusal(
              new TokenRefused(
                  TokenRefused.Kind.MISSING,
                  "this server needs an OAuth access token (Authorization: Bearer <token>); "
                      + "its protected resource metadata at "
                      + server.metadataUrl()
                      + " names the authorization server to get one from")));
      return;
    }
    CompletableFuture<Principal> check = server.verify(header.substring(7).trim());
    if (check.isDone()) {
      decide(ctx, request, check);
      return;
    }
    held = new ArrayDeque<>();
    held.add(request);
    ctx.channel().config().setAutoRead(false);
    check.whenComplete((p, f) -> ctx.executor().execute(() -> resume(ctx, check)));
  }

  private void resume(ChannelHandlerContext ctx, CompletableFuture<Principal> check) {
    ArrayDeque<Object> queue = held;
    held = null;
    if (queue == null) return; // the connection closed meanwhile
    ctx.channel().config().setAutoRead(true);
    decide(ctx, (HttpRequest) queue.poll(), check);
    while (!queue.isEmpty()) channelRead(ctx, queue.poll());
  }

  private void decide(
      ChannelHandlerContext ctx, HttpRequest request, CompletableFuture<Principal> check) {
    Principal principal;
    try {
      principal = check.join();
    } catch (RuntimeException e) {
      Throwable cause = e.getCause() != null ? e.getCause() : e;
      if (!(cause instanceof TokenRefused refused)) {
        Log.warn("oauth: checking a token failed: " + cause);
        refuse(
            ctx,
            request,
            refusal(
                new TokenRefused(
                    TokenRefused.Kind.UNAVAILABLE, "the token could not be checked: " + cause)));
        return;
      }
      refuse(ctx, request, refusal(refused));
      return;
    }
    ctx.channel().attr(PRINCIPAL).set(principal);
    ctx.fireChannelRead(request);
  }

  /** The 401/403/503 for {@code refused}, with its challenge. */
  FullHttpResponse refusal(TokenRefused refused) {
    return refusal(refused, List.of());
  }

  FullHttpResponse refusal(TokenRefused refused, List<String> neededScopes) {
    HttpResponseStatus status =
        switch (refused.kind()) {
          case MISSING, INVALID -> HttpResponseStatus.UNAUTHORIZED;
          case INSUFFICIENT_SCOPE -> HttpResponseStatus.FORBIDDEN;
          case UNAVAILABLE -> HttpResponseStatus.SERVICE_UNAVAILABLE;
        };
    String prefix =
        switch (refused.kind()) {
          case MISSING, INVALID -> "Unauthorized: ";
          case INSUFFICIENT_SCOPE -> "Forbidden: ";
          case UNAVAILABLE -> "Service Unavailable: ";
        };
    FullHttpResponse r =
        HttpReplies.error(status, HttpReplies.REFUSED, prefix + refused.getMessage());
    if (refused.kind() == TokenRefused.Kind.UNAVAILABLE) {
      r.headers().set(HttpHeaderNames.RETRY_AFTER, "5");
    } else {
      r.headers().set(HttpHeaderNames.WWW_AUTHENTICATE, server.challenge(refused, neededScopes));
    }
    return r;
  }

  private FullHttpResponse metadata(HttpRequest request) {
    if (!request.method().equals(HttpMethod.GET) && !request.method().equals(HttpMethod.HEAD)) {
      FullHttpResponse r =
          HttpReplies.error(
              HttpResponseStatus.METHOD_NOT_ALLOWED,
              HttpReplies.REFUSED,
              "Method Not Allowed: the protected resource metadata answers GET only");
      r.headers().set(HttpHeaderNames.ALLOW, "GET, HEAD");
      return r;
    }
    FullHttpResponse r = HttpReplies.json(HttpResponseStatus.OK, server.metadata());
    if (request.method().equals(HttpMethod.HEAD)) r.content().clear();
    // Public by design (RFC 9728 §3): browser-based clients read it from other origins.
    r.headers().set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_ORIGIN, "*");
    r.headers().set(HttpHeaderNames.CACHE_CONTROL, "max-age=60");
    return r;
  }

  private void refuse(ChannelHandlerContext ctx, HttpRequest request, FullHttpResponse response) {
    answer(ctx, request, response);
  }

  /** Answers {@code request} with {@code response} and discards the rest of its body. */
  private void answer(ChannelHandlerContext ctx, HttpRequest request, FullHttpResponse response) {
    discarding = !(request instanceof LastHttpContent);
    ReferenceCountUtil.release(request);
    boolean keepAlive = HttpUtil.isKeepAlive(request) && !HttpUtil.is100ContinueExpected(request);
    HttpReplies.send(ctx, keepAlive, response);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) throws Exception {
    releaseHeld();
    super.channelInactive(ctx);
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    releaseHeld();
  }

  private void releaseHeld() {
    ArrayDeque<Object> queue = held;
    held = null;
    if (queue != null) queue.forEach(ReferenceCountUtil::release);
  }
}
