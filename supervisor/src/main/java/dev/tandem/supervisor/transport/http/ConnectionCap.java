package dev.tandem.supervisor.transport.http;

import dev.tandem.supervisor.config.HttpConfig;
import dev.tandem.supervisor.log.Log;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * How many connections may be open at once ({@code [http] max_connections}), and the refusal a
 * connection past that gets.
 *
 * <p>The refusal is a 503 with {@code Retry-After}, written as soon as the connection is accepted,
 * rather than a close at accept: the file descriptor is already spent by then either way, and a
 * reset tells a client nothing, where a 503 says the server is full and when to try again (HTTP
 * clients read a response that arrives before they finish sending). The output is then shut and
 * whatever the client sends is discarded for at most {@link #LINGER_MS}, so the client reads the
 * 503 instead of a reset caused by its own unread request, and a refused connection cannot hold
 * its descriptor longer than that.
 *
 * <p>The default is {@value HttpConfig#DEFAULT_MAX_CONNECTIONS}, or half the process's
 * file-descriptor limit if that is lower: the other half is for what the daemon itself must keep
 * opening (worker pipes, a replacement worker, its jars), which idle clients must never starve.
 */
final class ConnectionCap {

  static final int RETRY_AFTER_SECONDS = 5;
  private static final long LINGER_MS = 1000;

  private ConnectionCap() {}

  /** The cap for this process: the configured one, else the default bounded by the fd limit. */
  static int effective(int configured) {
    long fds = openFileLimit();
    if (configured > 0) {
      if (fds > 0 && configured > fds) {
        Log.warn("[http] max_connections = " + configured + " is over this process's limit of " + fds
            + " open files; connections past that fail at accept (raise ulimit -n, or lower max_connections)");
      }
      return configured;
    }
    if (fds > 0 && fds / 2 < HttpConfig.DEFAULT_MAX_CONNECTIONS) {
      int cap = (int) Math.max(1, fds / 2);
      Log.info("at most " + cap + " HTTP connections at once: half this process's limit of " + fds
          + " open files (ulimit -n); set [http] max_connections to choose");
      return cap;
    }
    return HttpConfig.DEFAULT_MAX_CONNECTIONS;
  }

  /** The soft RLIMIT_NOFILE, from /proc (Linux); -1 where it cannot be read. */
  static long openFileLimit() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/limits"))) {
        if (line.startsWith("Max open files")) {
          String soft = line.substring("Max open files".length()).trim().split("\\s+")[0];
          return soft.equals("unlimited") ? -1 : Long.parseLong(soft);
        }
      }
    } catch (IOException | RuntimeException e) {
      Log.debug("cannot read the open-file limit: " + e);
    }
    return -1;
  }

  /** The whole pipeline of a connection over the cap (after an HttpResponseEncoder). */
  static final class Refusal extends ChannelInboundHandlerAdapter {
    private final int cap;

    Refusal(int cap) {
      this.cap = cap;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
      Log.debug("http: refusing a connection from " + ctx.channel().remoteAddress() + ": " + cap + " are open ([http] max_connections)");
      FullHttpResponse r = HttpReplies.error(HttpResponseStatus.SERVICE_UNAVAILABLE, HttpReplies.REFUSED,
          "Service Unavailable: this server already has " + cap + " connections open, its limit ([http] max_connections); "
              + "retry in " + RETRY_AFTER_SECONDS + " s, or reuse an open connection");
      r.headers().setInt(HttpHeaderNames.RETRY_AFTER, RETRY_AFTER_SECONDS);
      r.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
      ctx.writeAndFlush(r).addListener(f -> {
        if (f.isSuccess() && ctx.channel() instanceof SocketChannel s) s.shutdownOutput();
        else ctx.close();
      });
      ctx.executor().schedule(() -> ctx.close(), LINGER_MS, TimeUnit.MILLISECONDS);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      ReferenceCountUtil.release(msg);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      ctx.close();
    }
  }
}
