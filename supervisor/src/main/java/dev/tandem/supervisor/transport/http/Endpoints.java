package dev.tandem.supervisor.transport.http;

import dev.tandem.supervisor.log.Log;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import java.net.URI;
import java.util.Set;

/** The last step of the pipeline: a whole request goes to {@code /mcp} or to a side endpoint. */
final class Endpoints extends SimpleChannelInboundHandler<FullHttpRequest> {

  static final String MCP_PATH = "/mcp";

  /**
   * Probes skip the Host, Origin and token checks: a kubelet or load balancer sends none of them,
   * and these answer nothing but "up" and "ready".
   */
  static final Set<String> PROBES = Set.of("/healthz", "/readyz");

  private final McpEndpoint mcp;
  private final SideEndpoints side;

  Endpoints(McpEndpoint mcp, SideEndpoints side) {
    this.mcp = mcp;
    this.side = side;
  }

  static boolean isProbe(String uri) {
    return PROBES.contains(pathOf(uri));
  }

  /** The path of a request target: origin-form ("/mcp?x") or absolute-form ("http://h/mcp"). */
  static String pathOf(String uri) {
    if (uri.startsWith("/")) {
      int end = uri.length();
      int q = uri.indexOf('?');
      int h = uri.indexOf('#');
      if (q >= 0) end = q;
      if (h >= 0 && h < end) end = h;
      return uri.substring(0, end);
    }
    try {
      String path = new URI(uri).getRawPath();
      return path == null || path.isEmpty() ? "/" : path;
    } catch (Exception e) {
      return uri;
    }
  }

  @Override
  protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
    if (Responding.busy(ctx.channel())) {
      Log.debug(
          "http: "
              + ctx.channel().remoteAddress()
              + " sent a request before its previous response ended; closing the connection");
      ctx.close();
      return;
    }
    if (!request.decoderResult().isSuccess()) {
      HttpReplies.send(
          ctx,
          false,
          HttpReplies.error(
              HttpResponseStatus.BAD_REQUEST,
              HttpReplies.REFUSED,
              "Bad Request: not a valid HTTP request"));
      return;
    }
    String path = pathOf(request.uri());
    boolean keepAlive = HttpUtil.isKeepAlive(request);
    if (path.equals(MCP_PATH)) {
      mcp.handle(ctx, request);
      return;
    }
    SideEndpoints.Reply reply = side.get(path);
    if (reply == null) {
      HttpReplies.send(
          ctx,
          keepAlive,
          HttpReplies.error(
              HttpResponseStatus.NOT_FOUND,
              HttpReplies.REFUSED,
              "Not Found: " + path + "; MCP is served at " + MCP_PATH));
      return;
    }
    boolean head = request.method().equals(HttpMethod.HEAD);
    if (!head && !request.method().equals(HttpMethod.GET)) {
      FullHttpResponse r =
          HttpReplies.error(
              HttpResponseStatus.METHOD_NOT_ALLOWED,
              HttpReplies.REFUSED,
              "Method Not Allowed: " + path + " answers GET only");
      r.headers().set(HttpHeaderNames.ALLOW, "GET, HEAD");
      HttpReplies.send(ctx, keepAlive, r);
      return;
    }
    FullHttpResponse r =
        HttpReplies.text(
            HttpResponseStatus.valueOf(reply.status()), reply.contentType(), reply.body());
    r.headers().set(HttpHeaderNames.CACHE_CONTROL, "no-store");
    if (head) {
      FullHttpResponse bodiless = new DefaultFullHttpResponse(r.protocolVersion(), r.status());
      bodiless.headers().set(r.headers());
      r.release();
      r = bodiless;
    }
    HttpReplies.send(ctx, keepAlive, r);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) throws Exception {
    Responding.closed(ctx.channel());
    super.channelInactive(ctx);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    Log.debug("http: connection from " + ctx.channel().remoteAddress() + " failed: " + cause);
    ctx.close();
  }
}
