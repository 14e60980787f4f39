package dev.tandem.supervisor.transport.http;

import dev.tandem.protocol.RpcError;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.FullHttpMessage;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;

/**
 * Gathers a request body up to {@code [http] max_body_bytes} and answers 413 with a JSON-RPC error
 * past it. A body announced too large by Content-Length is refused before it is read (the
 * aggregator then discards it and keeps the connection); one that grows too large while chunked has
 * been partly read, so that connection is closed.
 */
final class BodyLimit extends HttpObjectAggregator {

  private final int maxBytes;

  BodyLimit(int maxBytes) {
    super(maxBytes);
    this.maxBytes = maxBytes;
  }

  /** A client that sent {@code Expect: 100-continue} for a body too large hears why, too. */
  @Override
  protected Object newContinueResponse(
      HttpMessage start, int maxContentLength, ChannelPipeline pipeline) {
    Object response = super.newContinueResponse(start, maxContentLength, pipeline);
    if (response instanceof FullHttpResponse r
        && r.status().equals(HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE)) {
      r.release();
      return tooLarge();
    }
    return response;
  }

  @Override
  protected void handleOversizedMessage(ChannelHandlerContext ctx, HttpMessage oversized) {
    if (!(oversized instanceof HttpRequest)) return;
    FullHttpResponse r = tooLarge();
    boolean close =
        oversized instanceof FullHttpMessage
            || (!HttpUtil.is100ContinueExpected(oversized) && !HttpUtil.isKeepAlive(oversized));
    if (close) {
      r.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
      ctx.writeAndFlush(r).addListener(ChannelFutureListener.CLOSE);
    } else {
      ctx.writeAndFlush(r).addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
    }
  }

  private FullHttpResponse tooLarge() {
    return HttpReplies.error(
        HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE,
        RpcError.INVALID_REQUEST,
        "Payload Too Large: the body is over this server's limit of "
            + maxBytes
            + " bytes ([http] max_body_bytes); send a smaller message");
  }
}
