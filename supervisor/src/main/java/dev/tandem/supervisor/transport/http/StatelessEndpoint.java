package dev.tandem.supervisor.transport.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tandem.protocol.Message;
import dev.tandem.protocol.ModernEra;
import dev.tandem.protocol.RpcError;
import dev.tandem.supervisor.router.RoutedCall;
import dev.tandem.supervisor.session.Outbound;
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
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;

/**
 * A 2026-07-28 request on {@code /mcp}: no session, headers that mirror the body (checked, since
 * a proxy may route on them), and one answer on the POST's own response, JSON or SSE. Closing
 * that stream cancels the call, which is how this revision cancels over HTTP.
 */
final class StatelessEndpoint {

  static final String METHOD = "Mcp-Method";
  static final String NAME = "Mcp-Name";

  private final StatelessServer server;
  private final Duration keepalive;

  StatelessEndpoint(StatelessServer server, Duration keepalive) {
    this.server = server;
    this.keepalive = keepalive;
  }

  void handle(ChannelHandlerContext ctx, FullHttpRequest http, Message.Request request, Accepts accepts, boolean keepAlive) {
    String mismatch = headerMismatch(http.headers(), request);
    if (mismatch != null) {
      reply(ctx, keepAlive, new Message.Failure(request.id(), new RpcError(ModernEra.HEADER_MISMATCH, "Header mismatch: " + mismatch, null)));
      return;
    }
    Exchange exchange = new Exchange();
    RoutedCall call = server.handle(request, exchange, principalOf(http.headers()));
    Message immediate = exchange.immediate();
    if (immediate != null) {
      reply(ctx, keepAlive, immediate);
      return;
    }
    Runnable gone = () -> {
      if (call != null && !exchange.answered()) call.cancel("the client closed the response stream");
    };
    if (accepts.eventStream()) {
      SseStream stream = new SseStream(ctx.channel(), keepAlive, "2026-07-28 request " + request.id(), gone, gone);
      stream.start(null, keepalive);
      exchange.attach(stream);
    } else {
      exchange.attach(new JsonAnswer(ctx.channel(), keepAlive, null, gone));
    }
  }

  /** The HTTP status the revision gives each error: 400 for its own errors, 404 for no method. */
  private static void reply(ChannelHandlerContext ctx, boolean keepAlive, Message message) {
    HttpResponseStatus status = HttpResponseStatus.OK;
    if (message instanceof Message.Failure f) {
      int code = f.error().code();
      if (code == ModernEra.HEADER_MISMATCH || code == ModernEra.MISSING_REQUIRED_CLIENT_CAPABILITY
          || code == ModernEra.UNSUPPORTED_PROTOCOL_VERSION) {
        status = HttpResponseStatus.BAD_REQUEST;
      } else if (code == RpcError.METHOD_NOT_FOUND) {
        status = HttpResponseStatus.NOT_FOUND;
      }
    }
    HttpReplies.send(ctx, keepAlive, HttpReplies.json(status, dev.tandem.protocol.MessageCodec.toTree(message)));
  }

  /**
   * Transport page, "Server Validation": MCP-Protocol-Version, Mcp-Method and (for calls, reads
   * and prompts) Mcp-Name must be present and equal to the body, or the request is refused.
   */
  static String headerMismatch(HttpHeaders headers, Message.Request request) {
    String version = headers.get(McpEndpoint.PROTOCOL_VERSION);
    JsonNode bodyVersion = request.params().path("_meta").get(ModernEra.PROTOCOL_VERSION);
    if (version == null) return McpEndpoint.PROTOCOL_VERSION + " header is missing";
    if (bodyVersion == null || !version.equals(bodyVersion.asText())) {
      return McpEndpoint.PROTOCOL_VERSION + " header value '" + version + "' does not match body value '"
          + (bodyVersion == null ? "" : bodyVersion.asText()) + "'";
    }
    String method = headers.get(METHOD);
    if (method == null) return METHOD + " header is missing";
    if (!method.equals(request.method())) {
      return METHOD + " header value '" + method + "' does not match body value '" + request.method() + "'";
    }
    String field = switch (request.method()) {
      case "tools/call", "prompts/get" -> "name";
      case "resources/read" -> "uri";
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

  /** Values that are not plain ASCII travel as {@code =?base64?...?=} (transport page, "Value Encoding"). */
  private static String decode(String value) {
    if (!value.startsWith("=?base64?") || !value.endsWith("?=")) return value;
    try {
      return new String(Base64.getDecoder().decode(value.substring(9, value.length() - 2)), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  /**
   * Who may resume what a request suspends: the credential it came with (hashed, never kept),
   * or one shared anonymous principal when the server takes no token.
   */
  private static String principalOf(HttpHeaders headers) {
    String auth = headers.get(HttpHeaderNames.AUTHORIZATION);
    if (auth == null) return "http:anonymous";
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(auth.getBytes(StandardCharsets.UTF_8));
      return "http:" + HexFormat.of().formatHex(digest);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * The outbound of one request. Answers produced while {@code handle} runs (refusals, cached
   * lists) are held so they can go out with their own HTTP status; later messages go to the
   * response stream once it is attached.
   */
  private static final class Exchange implements Outbound {
    private final List<Message> early = new ArrayList<>();
    private AnswerSink sink;
    private boolean attached;
    private volatile boolean answered;

    @Override
    public synchronized void send(Message message, JsonNode relatedTo) {
      if (!attached) {
        early.add(message);
        return;
      }
      deliver(message);
    }

    private void deliver(Message message) {
      if (message instanceof Message.Response) answered = true;
      sink.offer(message);
      if (message instanceof Message.Response) sink.end();
    }

    /** The answer, when the request was answered at once and nothing else was said. */
    synchronized Message immediate() {
      if (early.size() == 1 && early.get(0) instanceof Message.Response r) {
        attached = true;
        answered = true;
        return r;
      }
      return null;
    }

    synchronized void attach(AnswerSink target) {
      sink = target;
      attached = true;
      for (Message m : early) deliver(m);
      early.clear();
    }

    boolean answered() {
      return answered;
    }
  }
}
