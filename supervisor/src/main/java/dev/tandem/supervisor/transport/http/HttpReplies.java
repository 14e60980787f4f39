package dev.tandem.supervisor.transport.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.protocol.FrameBuffer;
import dev.tandem.protocol.Json;
import dev.tandem.protocol.Message;
import dev.tandem.protocol.MessageCodec;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The complete (non-streaming) responses the HTTP side sends. A refusal carries a JSON-RPC error
 * response with no {@code id} in its body, as the transport page allows for every error status (the
 * schema's {@code JSONRPCErrorResponse.id} is optional for exactly this).
 */
final class HttpReplies {

  /** Implementation-defined JSON-RPC code (-32000..-32099) for a request the transport refuses. */
  static final int REFUSED = -32000;

  /** Implementation-defined code for an unknown, expired or deleted {@code Mcp-Session-Id}. */
  static final int SESSION_NOT_FOUND = -32001;

  static final String JSON = "application/json";
  static final String EVENT_STREAM = "text/event-stream";

  private HttpReplies() {}

  static FullHttpResponse error(HttpResponseStatus status, int code, String message) {
    ObjectNode body = Json.object().put("jsonrpc", MessageCodec.JSONRPC_VERSION);
    body.putObject("error").put("code", code).put("message", message);
    return json(status, body);
  }

  /** An error for a message whose id is known: the caller can match it to its request. */
  static FullHttpResponse failure(HttpResponseStatus status, Message.Failure failure) {
    ObjectNode body = MessageCodec.toTree(failure);
    if (body.path("id").isNull()) body.remove("id");
    return json(status, body);
  }

  /** A message as the whole body: streamed by the codec into its scratch buffer, copied once. */
  static FullHttpResponse json(HttpResponseStatus status, Message message) {
    FrameBuffer frame = MessageCodec.encodeInScratch(message);
    byte[] body = Arrays.copyOf(frame.array(), frame.length() - 1); // without the frame's newline
    return bytes(status, JSON, body);
  }

  static FullHttpResponse json(HttpResponseStatus status, JsonNode body) {
    try {
      return bytes(status, JSON, Json.MAPPER.writeValueAsBytes(body));
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  static FullHttpResponse text(HttpResponseStatus status, String contentType, String body) {
    return bytes(status, contentType, body.getBytes(StandardCharsets.UTF_8));
  }

  static FullHttpResponse empty(HttpResponseStatus status) {
    FullHttpResponse r =
        new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, Unpooled.EMPTY_BUFFER);
    r.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, 0);
    return r;
  }

  private static FullHttpResponse bytes(
      HttpResponseStatus status, String contentType, byte[] body) {
    FullHttpResponse r =
        new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, Unpooled.wrappedBuffer(body));
    r.headers().set(HttpHeaderNames.CONTENT_TYPE, contentType);
    r.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, body.length);
    return r;
  }

  /** Sends a complete response, keeping the connection only when the request allows it. */
  static void send(ChannelHandlerContext ctx, boolean keepAlive, FullHttpResponse response) {
    if (keepAlive) {
      ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
    } else {
      response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
      ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
    }
  }
}
