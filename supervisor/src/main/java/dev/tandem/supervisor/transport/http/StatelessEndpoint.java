package dev.tandem.supervisor.transport.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tandem.protocol.Message;
import dev.tandem.protocol.ModernEra;
import dev.tandem.protocol.RpcError;
import dev.tandem.supervisor.router.Catalog;
import dev.tandem.supervisor.router.RoutedCall;
import dev.tandem.supervisor.session.Outbound;
import dev.tandem.supervisor.session.Principal;
import dev.tandem.supervisor.session.RequestMeta;
import dev.tandem.supervisor.session.StatelessServer;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;

/**
 * A 2026-07-28 request on {@code /mcp}: no session, headers that mirror the body (checked, since a
 * proxy may route on them), and one answer on the POST's own response, JSON or SSE. Closing that
 * stream cancels the call, which is how this revision cancels over HTTP.
 */
final class StatelessEndpoint {

  static final String METHOD = "Mcp-Method";
  static final String NAME = "Mcp-Name";

  private final StatelessServer server;
  private final Duration keepalive;
  private final ParamHeaders params = new ParamHeaders();

  StatelessEndpoint(StatelessServer server, Duration keepalive) {
    this.server = server;
    this.keepalive = keepalive;
  }

  void handle(
      ChannelHandlerContext ctx,
      FullHttpRequest http,
      Message.Request request,
      Accepts accepts,
      boolean keepAlive) {
    // Headers that contradict the body come first (a proxy may have routed on them), then what
    // is wrong with the body's metadata itself, then the other headers.
    String version = http.headers().get(McpEndpoint.PROTOCOL_VERSION);
    String mismatch = versionMismatch(version, request);
    RpcError metaProblem = mismatch == null ? RequestMeta.problem(request) : null;
    if (metaProblem != null) {
      send(
          ctx,
          keepAlive,
          HttpResponseStatus.BAD_REQUEST,
          new Message.Failure(request.id(), metaProblem));
      return;
    }
    if (mismatch == null) mismatch = headerMismatch(http.headers(), version, request);
    if (mismatch != null) {
      refuse(ctx, keepAlive, request, mismatch);
      return;
    }
    // Read now: the request's headers are released once this returns.
    String auth = http.headers().get(HttpHeaderNames.AUTHORIZATION);
    Principal oauth = CallAuthorization.principal(ctx.channel());
    if (request.method().equals("tools/call")) {
      Catalog catalog = server.catalog().getNow(null);
      if (catalog == null) {
        // The pools are still starting: the tool's declared headers are known once they have.
        Map<String, String> mirrored = mirrored(http.headers());
        server
            .catalog()
            .whenComplete(
                (c, failure) ->
                    ctx.executor()
                        .execute(
                            () -> {
                              String m =
                                  c == null
                                      ? null
                                      : params.mismatch(
                                          c,
                                          request,
                                          n -> mirrored.get(n.toLowerCase(Locale.ROOT)));
                              if (m != null) {
                                refuse(ctx, keepAlive, request, m);
                              } else {
                                dispatch(ctx, request, accepts, keepAlive, auth, oauth);
                              }
                            }));
        return;
      }
      mismatch = params.mismatch(catalog, request, http.headers()::get);
      if (mismatch != null) {
        refuse(ctx, keepAlive, request, mismatch);
        return;
      }
    }
    dispatch(ctx, request, accepts, keepAlive, auth, oauth);
  }

  private static void refuse(
      ChannelHandlerContext ctx, boolean keepAlive, Message.Request request, String mismatch) {
    reply(
        ctx,
        keepAlive,
        new Message.Failure(
            request.id(),
            new RpcError(ModernEra.HEADER_MISMATCH, "Header mismatch: " + mismatch, null)));
  }

  /** Every Mcp-Param-* header by lower-cased name, for a check that runs after this request. */
  private static Map<String, String> mirrored(HttpHeaders headers) {
    Map<String, String> out = new HashMap<>();
    for (Map.Entry<String, String> h : headers) {
      String name = h.getKey().toLowerCase(Locale.ROOT);
      if (name.startsWith("mcp-param-")) out.putIfAbsent(name, h.getValue());
    }
    return out;
  }

  private void dispatch(
      ChannelHandlerContext ctx,
      Message.Request request,
      Accepts accepts,
      boolean keepAlive,
      String auth,
      Principal oauth) {
    Exchange exchange =
        new Exchange(
            ctx, keepAlive, accepts, () -> "2026-07-28 request " + request.id(), keepalive);
    // Under [http.auth] the validated subject owns what this request suspends, whichever token.
    RoutedCall call =
        server.handle(request, exchange, () -> oauth != null ? oauth.key() : principalOf(auth));
    exchange.open(call);
  }

  /** The HTTP status the revision gives each error: 400 for its own errors, 404 for no method. */
  private static HttpResponseStatus statusOf(Message message) {
    if (message instanceof Message.Failure f) {
      int code = f.error().code();
      if (code == ModernEra.HEADER_MISMATCH
          || code == ModernEra.MISSING_REQUIRED_CLIENT_CAPABILITY
          || code == ModernEra.UNSUPPORTED_PROTOCOL_VERSION) {
        return HttpResponseStatus.BAD_REQUEST;
      } else if (code == RpcError.METHOD_NOT_FOUND) {
        return HttpResponseStatus.NOT_FOUND;
      }
    }
    return HttpResponseStatus.OK;
  }

  private static void reply(ChannelHandlerContext ctx, boolean keepAlive, Message message) {
    send(ctx, keepAlive, statusOf(message), message);
  }

  private static void send(
      ChannelHandlerContext ctx, boolean keepAlive, HttpResponseStatus status, Message message) {
    HttpReplies.send(ctx, keepAlive, HttpReplies.json(status, message));
  }

  /**
   * Transport page, "Server Validation": MCP-Protocol-Version, Mcp-Method and (for calls, reads and
   * prompts) Mcp-Name must be present and equal to the body, or the request is refused.
   */
  /**
   * MCP-Protocol-Version against a version the body does state; a missing one is a _meta problem.
   */
  static String versionMismatch(String version, Message.Request request) {
    JsonNode bodyVersion =
        request.params() == null
            ? null
            : request.params().path("_meta").get(ModernEra.PROTOCOL_VERSION);
    if (version == null
        || bodyVersion == null
        || !bodyVersion.isTextual()
        || version.equals(bodyVersion.asText())) return null;
    return McpEndpoint.PROTOCOL_VERSION
        + " header value '"
        + version
        + "' does not match body value '"
        + bodyVersion.asText()
        + "'";
  }

  static String headerMismatch(HttpHeaders headers, String version, Message.Request request) {
    JsonNode bodyVersion = request.params().path("_meta").get(ModernEra.PROTOCOL_VERSION);
    if (version == null) return McpEndpoint.PROTOCOL_VERSION + " header is missing";
    if (bodyVersion == null || !version.equals(bodyVersion.asText())) {
      return McpEndpoint.PROTOCOL_VERSION
          + " header value '"
          + version
          + "' does not match body value '"
          + (bodyVersion == null ? "" : bodyVersion.asText())
          + "'";
    }
    String method = headers.get(METHOD);
    if (method == null) return METHOD + " header is missing";
    if (!method.equals(request.method())) {
      return METHOD
          + " header value '"
          + method
          + "' does not match body value '"
          + request.method()
          + "'";
    }
    String field =
        switch (request.method()) {
          case "tools/call", "prompts/get" -> "name";
          case "resources/read" -> "uri";
          case "tasks/get", "tasks/update", "tasks/cancel" -> "taskId";
          default -> null;
        };
    if (field == null) return null;
    String name = headers.get(NAME);
    String bodyName = request.params().path(field).asText(null);
    if (name == null) return NAME + " header is missing (it must carry params." + field + ")";
    String decoded = decode(name);
    if (decoded == null) return NAME + " header value is not valid =?base64?...?= encoding";
    if (!decoded.equals(bodyName)) {
      return NAME + " header value '" + name + "' does not match body value '" + bodyName + "'";
    }
    return null;
  }

  /**
   * Values that are not plain ASCII travel as {@code =?base64?...?=} (transport page, "Value
   * Encoding").
   */
  static String decode(String value) {
    if (!value.startsWith("=?base64?") || !value.endsWith("?=")) return value;
    String encoded = value.substring(9, value.length() - 2);
    // Padded Base64 only: the JDK's decoder would take "SGVsbG8" for "Hello", which a proxy
    // reading the header strictly might not.
    if (encoded.length() % 4 != 0) return null;
    try {
      return new String(Base64.getDecoder().decode(encoded), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  /**
   * Who may resume what a request suspends: the credential it came with (hashed, never kept), or
   * one shared anonymous principal when the server takes no token. Hashed only for a request that
   * suspends or resumes a call.
   */
  private static String principalOf(String auth) {
    if (auth == null) return "http:anonymous";
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-256").digest(auth.getBytes(StandardCharsets.UTF_8));
      return "http:" + HexFormat.of().formatHex(digest);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * The outbound of one request: a {@link Reply}, which answers in one JSON body with the HTTP
   * status its error calls for (a -32021 found mid-call is still a 400) when the answer is the
   * first thing ready, and streams otherwise. The client leaving before the answer (or no longer
   * reading its stream) cancels the call: closing is cancelling in this revision.
   */
  private static final class Exchange implements Outbound {
    private final Reply reply;
    private RoutedCall call;
    private boolean answered;
    private boolean abandoned;

    Exchange(
        ChannelHandlerContext ctx,
        boolean keepAlive,
        Accepts accepts,
        java.util.function.Supplier<String> label,
        Duration keepalive) {
      this.reply =
          new Reply(
              ctx.channel(),
              keepAlive,
              accepts,
              label,
              keepalive,
              null,
              StatelessEndpoint::statusOf,
              this::gone,
              this::gone);
    }

    /** After the request was handed over; a client that already left cancels it now. */
    void open(RoutedCall routed) {
      boolean cancel;
      synchronized (this) {
        call = routed;
        cancel = abandoned && !answered;
      }
      if (cancel && routed != null) routed.cancel("the client closed the response stream");
    }

    @Override
    public void send(Message message, JsonNode relatedTo) {
      if (message instanceof Message.Response) {
        synchronized (this) {
          if (answered) return;
          answered = true;
        }
      }
      reply.offer(message);
    }

    /** The response is complete, or the client went away (or stopped reading) before the answer. */
    private void gone() {
      RoutedCall c;
      synchronized (this) {
        if (answered || abandoned) return;
        abandoned = true;
        c = call;
      }
      if (c != null) c.cancel("the client closed the response stream");
    }
  }
}
