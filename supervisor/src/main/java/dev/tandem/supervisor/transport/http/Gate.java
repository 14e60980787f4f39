package dev.tandem.supervisor.transport.http;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;

/**
 * A check on a request's head, made before its body is read or buffered: a refused request is
 * answered at once and the rest of its body discarded as it arrives, so a client that may not talk
 * to us cannot make us hold its body in memory.
 */
abstract class Gate extends ChannelInboundHandlerAdapter {

  private boolean discarding;

  /** The refusal to send for this request, or null to let it through. */
  protected abstract FullHttpResponse refuse(HttpRequest request);

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (msg instanceof HttpRequest request) {
      FullHttpResponse refusal = Endpoints.isProbe(request.uri()) ? null : refuse(request);
      if (refusal == null) {
        discarding = false;
        ctx.fireChannelRead(msg);
        return;
      }
      discarding = !(msg instanceof LastHttpContent);
      ReferenceCountUtil.release(msg);
      // A client waiting for 100-continue will not send the body we would wait to discard.
      boolean keepAlive = HttpUtil.isKeepAlive(request) && !HttpUtil.is100ContinueExpected(request);
      HttpReplies.send(ctx, keepAlive, refusal);
      return;
    }
    if (discarding && msg instanceof HttpContent content) {
      if (content instanceof LastHttpContent) discarding = false;
      ReferenceCountUtil.release(msg);
      return;
    }
    ctx.fireChannelRead(msg);
  }
}
