package dev.tandem.supervisor.transport.http;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.util.ReferenceCountUtil;

/**
 * A request the codec could not read, or that HTTP/1.1 forbids, is answered for what it is before
 * any gate looks at it: the gates would otherwise judge a half-parsed head (a 20 KiB header reaches
 * them as a request without its Host or Authorization) and answer 403 or 401, sending a client with
 * a valid token to look for the fault in the wrong place.
 *
 * <ul>
 *   <li>request line over 8 KiB: 414 URI Too Long;
 *   <li>headers over 16 KiB: 431 Request Header Fields Too Large (RFC 6585);
 *   <li>anything else the codec refused (a control byte in a header value...): 400;
 *   <li>more than one {@code Host} header: 400 (RFC 9112 §3.2).
 * </ul>
 *
 * The connection is closed after each: the codec discards everything after a bad head, so nothing
 * more could be read from it.
 */
final class RequestSyntax extends ChannelInboundHandlerAdapter {

  private boolean discarding;

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (msg instanceof HttpRequest request) {
      String problem = problem(request);
      if (problem == null) {
        discarding = false;
        ctx.fireChannelRead(msg);
        return;
      }
      discarding = true;
      ReferenceCountUtil.release(msg);
      HttpReplies.send(
          ctx,
          false,
          HttpReplies.error(status(request.decoderResult()), HttpReplies.REFUSED, problem));
      return;
    }
    if (discarding && msg instanceof HttpContent) {
      ReferenceCountUtil.release(msg);
      return;
    }
    ctx.fireChannelRead(msg);
  }

  private static String problem(HttpRequest request) {
    DecoderResult result = request.decoderResult();
    if (result.isFailure()) {
      Throwable cause = result.cause();
      if (cause instanceof TooLongHttpLineException) {
        return "URI Too Long: the request line is over "
            + HttpServer.MAX_INITIAL_LINE / 1024
            + " KiB; send a shorter target (MCP needs only "
            + Endpoints.MCP_PATH
            + ")";
      }
      if (cause instanceof TooLongHttpHeaderException) {
        return "Request Header Fields Too Large: the headers are over "
            + HttpServer.MAX_HEADER_BYTES / 1024
            + " KiB together; send fewer or shorter ones";
      }
      return "Bad Request: not a valid HTTP/1.1 request head: " + cause.getMessage();
    }
    if (request.headers().getAll(HttpHeaderNames.HOST).size() > 1) {
      return "Bad Request: more than one Host header; HTTP/1.1 allows exactly one";
    }
    return null;
  }

  private static HttpResponseStatus status(DecoderResult result) {
    if (result.isSuccess()) return HttpResponseStatus.BAD_REQUEST;
    if (result.cause() instanceof TooLongHttpLineException)
      return HttpResponseStatus.REQUEST_URI_TOO_LONG;
    if (result.cause() instanceof TooLongHttpHeaderException)
      return HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE;
    return HttpResponseStatus.BAD_REQUEST;
  }
}
