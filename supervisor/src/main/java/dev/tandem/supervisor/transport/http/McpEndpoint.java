package dev.tandem.supervisor.transport.http;

import dev.tandem.protocol.Decoded;
import dev.tandem.protocol.Message;
import dev.tandem.protocol.MessageCodec;
import dev.tandem.protocol.ModernEra;
import dev.tandem.protocol.ProtocolVersions;
import dev.tandem.protocol.RpcError;
import dev.tandem.supervisor.log.Log;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import java.time.Duration;
import java.util.function.Supplier;

/**
 * The MCP endpoint of the Streamable HTTP transport: POST carries one client message, GET opens the
 * session's stream for messages related to no request, DELETE ends the session. Every refusal is an
 * HTTP status with a JSON-RPC error body, chosen as the transport page says: 400 for a missing
 * session id or an unsupported {@code MCP-Protocol-Version}, 404 for a session that does not exist
 * (any more), 405 for other methods.
 */
final class McpEndpoint {

  static final String SESSION_ID = "Mcp-Session-Id";
  static final String PROTOCOL_VERSION = "MCP-Protocol-Version";

  private final HttpSessions sessions;
  private final Duration keepalive;
  private final StatelessEndpoint stateless;
  private final Supplier<CallAuthorization> authorization;

  McpEndpoint(
      HttpSessions sessions,
      Duration keepalive,
      StatelessEndpoint stateless,
      Supplier<CallAuthorization> authorization) {
    this.sessions = sessions;
    this.keepalive = keepalive;
    this.stateless = stateless;
    this.authorization = authorization;
  }

  void handle(ChannelHandlerContext ctx, FullHttpRequest request) {
    boolean keepAlive = HttpUtil.isKeepAlive(request);
    HttpMethod method = request.method();
    // A POST's era is read off its body first (post()); the session-era header rules apply after.
    FullHttpResponse refusal =
        method.equals(HttpMethod.POST) ? null : checkProtocolVersion(request);
    if (refusal != null) {
      HttpReplies.send(ctx, keepAlive, refusal);
      return;
    }
    if (method.equals(HttpMethod.POST)) {
      post(ctx, request, keepAlive);
    } else if (method.equals(HttpMethod.GET)) {
      get(ctx, request, keepAlive);
    } else if (method.equals(HttpMethod.DELETE)) {
      delete(ctx, request, keepAlive);
    } else {
      FullHttpResponse r =
          HttpReplies.error(
              HttpResponseStatus.METHOD_NOT_ALLOWED,
              HttpReplies.REFUSED,
              "Method Not Allowed: "
                  + method
                  + " "
                  + Endpoints.MCP_PATH
                  + "; use POST, GET or DELETE");
      r.headers().set(HttpHeaderNames.ALLOW, "GET, POST, DELETE");
      HttpReplies.send(ctx, keepAlive, r);
    }
  }

  /**
   * "If the server receives a request with an invalid or unsupported MCP-Protocol-Version, it MUST
   * respond with 400 Bad Request"; without the header the spec says to assume 2025-03-26, which
   * tandem supports, so only a present, unknown value is refused.
   */
  private static FullHttpResponse checkProtocolVersion(FullHttpRequest request) {
    String version = request.headers().get(PROTOCOL_VERSION);
    if (version == null || ProtocolVersions.SUPPORTED.contains(version.trim())) return null;
    return HttpReplies.error(
        HttpResponseStatus.BAD_REQUEST,
        RpcError.INVALID_REQUEST,
        "Bad Request: unsupported "
            + PROTOCOL_VERSION
            + " \""
            + version
            + "\"; this server supports "
            + String.join(", ", ProtocolVersions.SUPPORTED));
  }

  private void post(ChannelHandlerContext ctx, FullHttpRequest request, boolean keepAlive) {
    if (!Accepts.isJson(request.headers().get(HttpHeaderNames.CONTENT_TYPE))) {
      HttpReplies.send(
          ctx,
          keepAlive,
          HttpReplies.error(
              HttpResponseStatus.UNSUPPORTED_MEDIA_TYPE,
              HttpReplies.REFUSED,
              "Unsupported Media Type: POST one JSON-RPC message with Content-Type: application/json"));
      return;
    }
    Accepts accepts = Accepts.of(request.headers().get(HttpHeaderNames.ACCEPT));
    if (!accepts.json() && !accepts.eventStream()) {
      HttpReplies.send(
          ctx, keepAlive, notAcceptable("Accept: application/json, text/event-stream"));
      return;
    }
    Decoded decoded = MessageCodec.decode(ByteBufUtil.getBytes(request.content()));
    Message message;
    switch (decoded) {
      case Decoded.Blank b -> {
        HttpReplies.send(
            ctx,
            keepAlive,
            HttpReplies.error(
                HttpResponseStatus.BAD_REQUEST,
                RpcError.INVALID_REQUEST,
                "Bad Request: the body is empty; POST one JSON-RPC message"));
        return;
      }
      case Decoded.Invalid invalid -> {
        HttpReplies.send(
            ctx,
            keepAlive,
            HttpReplies.failure(HttpResponseStatus.BAD_REQUEST, invalid.toFailure()));
        return;
      }
      case Message m -> message = m;
    }
    FullHttpResponse denied = authorization.get().admit(ctx.channel(), message);
    if (denied != null) {
      HttpReplies.send(ctx, keepAlive, denied);
      return;
    }
    // A request with per-request _meta is the 2026-07-28 revision: no session, whatever headers
    // an older client library left on it (versioning page, dual-era servers).
    if (message instanceof Message.Request r
        && (ModernEra.isModern(r)
            || ModernEra.VERSION.equals(request.headers().get(PROTOCOL_VERSION)))) {
      stateless.handle(ctx, request, r, accepts, keepAlive);
      return;
    }
    FullHttpResponse refusal = checkProtocolVersion(request);
    if (refusal != null) {
      HttpReplies.send(ctx, keepAlive, refusal);
      return;
    }
    String sessionId = request.headers().get(SESSION_ID);
    if (sessionId == null) {
      if (message instanceof Message.Request r && r.method().equals("initialize")) {
        initialize(
            ctx,
            r,
            accepts,
            keepAlive,
            HttpSessions.principalOf(
                request.headers(),
                ctx.channel().remoteAddress(),
                CallAuthorization.principal(ctx.channel())));
      } else {
        HttpReplies.send(ctx, keepAlive, missingSessionId());
      }
      return;
    }
    HttpSession session = sessions.find(sessionId, CallAuthorization.principal(ctx.channel()));
    if (session == null) {
      HttpReplies.send(ctx, keepAlive, sessionNotFound());
      return;
    }
    session.touch();
    if (message instanceof Message.Request r) {
      request(ctx, session, r, accepts, keepAlive);
    } else {
      session.deliver(message);
      HttpReplies.send(ctx, keepAlive, HttpReplies.empty(HttpResponseStatus.ACCEPTED));
    }
  }

  /**
   * The session exists only once {@code initialize} succeeded, and its id rides on the response
   * that carries the InitializeResult; a failed initialize leaves nothing behind.
   */
  private void initialize(
      ChannelHandlerContext ctx,
      Message.Request request,
      Accepts accepts,
      boolean keepAlive,
      String principal) {
    HttpSession session = sessions.create(principal);
    session
        .initialize(request)
        .whenComplete(
            (answer, failure) ->
                ctx.executor()
                    .execute(
                        () -> {
                          if (failure != null || answer == null) {
                            ctx.close();
                            return;
                          }
                          HttpHeaders headers = null;
                          if (answer instanceof Message.Result) {
                            String refused = sessions.register(session);
                            if (refused != null) {
                              session.close("refused: " + refused);
                              HttpReplies.send(
                                  ctx,
                                  keepAlive,
                                  HttpReplies.error(
                                      HttpResponseStatus.SERVICE_UNAVAILABLE,
                                      HttpReplies.REFUSED,
                                      "Service Unavailable: " + refused));
                              return;
                            }
                            headers = new DefaultHttpHeaders().set(SESSION_ID, session.id());
                            Log.info(
                                session.label()
                                    + " opened over HTTP from "
                                    + ctx.channel().remoteAddress());
                          } else {
                            session.close("initialize failed");
                          }
                          new Reply(
                                  ctx.channel(),
                                  keepAlive,
                                  accepts,
                                  session::label,
                                  keepalive,
                                  headers,
                                  Reply.OK,
                                  () -> {},
                                  () -> {})
                              .offer(answer);
                        }));
  }

  /**
   * A request in a session: its answer, and whatever the session says about it, go to its {@link
   * Reply}.
   */
  private void request(
      ChannelHandlerContext ctx,
      HttpSession session,
      Message.Request request,
      Accepts accepts,
      boolean keepAlive) {
    Reply[] self = new Reply[1];
    // Told when the response ends for any reason; only a still-registered sink is removed, so a
    // later request reusing the id after its answer is untouched.
    Runnable gone = () -> session.detach(request.id(), self[0]);
    Reply reply =
        new Reply(
            ctx.channel(),
            keepAlive,
            accepts,
            () -> session.label() + " request " + request.id(),
            keepalive,
            null,
            Reply.OK,
            gone,
            () -> session.stalled(request.id()));
    self[0] = reply;
    if (!session.request(request, reply)) {
      reply.abandon();
      HttpReplies.send(
          ctx,
          keepAlive,
          HttpReplies.failure(
              HttpResponseStatus.BAD_REQUEST,
              new Message.Failure(
                  request.id(),
                  RpcError.invalidRequest(
                      "Invalid Request: request id "
                          + request.id()
                          + " is already in flight in this session"))));
    }
  }

  private void get(ChannelHandlerContext ctx, FullHttpRequest request, boolean keepAlive) {
    if (!Accepts.of(request.headers().get(HttpHeaderNames.ACCEPT)).eventStream()) {
      HttpReplies.send(
          ctx,
          keepAlive,
          notAcceptable("Accept: text/event-stream (a GET opens the session's SSE stream)"));
      return;
    }
    HttpSession session = sessionOf(ctx, request, keepAlive);
    if (session == null) return;
    session.touch();
    SseStream[] self = new SseStream[1];
    SseStream stream =
        new SseStream(
            ctx.channel(),
            keepAlive,
            session.label() + " GET stream",
            () -> session.standaloneGone(self[0]),
            () -> {});
    self[0] = stream;
    if (!session.openStandalone(stream)) {
      HttpReplies.send(
          ctx,
          keepAlive,
          HttpReplies.error(
              HttpResponseStatus.CONFLICT,
              HttpReplies.REFUSED,
              "Conflict: this session already has a GET stream open; each message goes on one stream only, so close that one first"));
      return;
    }
    stream.start(null, keepalive);
  }

  private void delete(ChannelHandlerContext ctx, FullHttpRequest request, boolean keepAlive) {
    String sessionId = request.headers().get(SESSION_ID);
    if (sessionId == null) {
      HttpReplies.send(ctx, keepAlive, missingSessionId());
      return;
    }
    HttpSession session = sessions.remove(sessionId, CallAuthorization.principal(ctx.channel()));
    if (session == null) {
      HttpReplies.send(ctx, keepAlive, sessionNotFound());
      return;
    }
    session.close("the client deleted it");
    HttpReplies.send(ctx, keepAlive, HttpReplies.empty(HttpResponseStatus.OK));
  }

  private HttpSession sessionOf(
      ChannelHandlerContext ctx, FullHttpRequest request, boolean keepAlive) {
    String sessionId = request.headers().get(SESSION_ID);
    if (sessionId == null) {
      HttpReplies.send(ctx, keepAlive, missingSessionId());
      return null;
    }
    HttpSession session = sessions.find(sessionId, CallAuthorization.principal(ctx.channel()));
    if (session == null) HttpReplies.send(ctx, keepAlive, sessionNotFound());
    return session;
  }

  private static FullHttpResponse missingSessionId() {
    return HttpReplies.error(
        HttpResponseStatus.BAD_REQUEST,
        RpcError.INVALID_REQUEST,
        "Bad Request: no "
            + SESSION_ID
            + " header; start a session with initialize and send the id it returns on every later request");
  }

  private static FullHttpResponse sessionNotFound() {
    return HttpReplies.error(
        HttpResponseStatus.NOT_FOUND,
        HttpReplies.SESSION_NOT_FOUND,
        "Session not found: it was deleted, expired or never existed; start a new one with initialize");
  }

  private static FullHttpResponse notAcceptable(String what) {
    return HttpReplies.error(
        HttpResponseStatus.NOT_ACCEPTABLE, HttpReplies.REFUSED, "Not Acceptable: send " + what);
  }
}
