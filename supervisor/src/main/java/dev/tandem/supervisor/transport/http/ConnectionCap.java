package dev.tandem.supervisor.transport.http;

import dev.tandem.supervisor.config.HttpConfig;
import dev.tandem.supervisor.log.Log;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.util.AttributeKey;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * How many connections may be open at once ({@code [http] max_connections}), counted as they are
 * accepted (on the listener, so a burst cannot slip past the count), and the refusal a connection
 * past that gets.
 *
 * <p>The refusal is a 503 with {@code Retry-After} rather than a close at accept: the file
 * descriptor is already spent by then either way, and a reset tells a client nothing, where a 503
 * says the server is full and when to try again. It is written once the client's request has begun
 * to arrive (or after {@link #LINGER_MS} if none does): a response that comes before the request
 * was lost by clients under load (the JDK's HttpClient read "no bytes" on about 1 in 6 refused
 * connections of a 2,000-call flood in {@code make chaos}). The output is then shut and whatever
 * else the client sends is discarded until it closes, for at most {@link #LINGER_MS} more, so it
 * reads the 503 instead of a reset caused by its own unread request. At most {@link #MAX_REFUSING}
 * refusals are in progress at once (see {@link #admission}), so a flood of refusals cannot itself
 * use up the descriptors the cap protects.
 *
 * <p>The default is {@value HttpConfig#DEFAULT_MAX_CONNECTIONS}, or half the file descriptors the
 * process may still open when it starts listening if that is lower: the other half is for what the
 * daemon itself must keep opening (worker pipes, a replacement worker), which idle clients must
 * never starve.
 */
final class ConnectionCap {

  static final int RETRY_AFTER_SECONDS = 5;
  private static final long LINGER_MS = 1000;
  private static final int MAX_REFUSING = 8;
  private static final AttributeKey<Boolean> REFUSED = AttributeKey.valueOf("tandem.refused");

  private final int cap;
  private final AtomicInteger open = new AtomicInteger();
  private final AtomicInteger refusing = new AtomicInteger();

  ConnectionCap(int cap) {
    this.cap = cap;
  }

  int open() {
    return open.get();
  }

  /** Whether the listener marked this newly accepted connection as one too many. */
  static boolean refused(Channel child) {
    return Boolean.TRUE.equals(child.attr(REFUSED).get());
  }

  /**
   * On the listener, before Netty registers the accepted connection: counts it, or marks it
   * refused. While {@link #MAX_REFUSING} refusals are still in progress the listener stops
   * accepting, so the rest wait in the kernel's backlog (costing no descriptor) instead of each
   * taking one for its 503; it accepts again as soon as any connection closes.
   */
  ChannelInboundHandlerAdapter admission() {
    return new ChannelInboundHandlerAdapter() {
      @Override
      public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof Channel child) {
          Channel listener = ctx.channel();
          if (open.incrementAndGet() > cap) {
            open.decrementAndGet();
            child.attr(REFUSED).set(true);
            if (refusing.incrementAndGet() >= MAX_REFUSING) listener.config().setAutoRead(false);
            child
                .closeFuture()
                .addListener(
                    f -> {
                      refusing.decrementAndGet();
                      resume(listener);
                    });
          } else {
            child
                .closeFuture()
                .addListener(
                    f -> {
                      open.decrementAndGet();
                      resume(listener);
                    });
          }
        }
        ctx.fireChannelRead(msg);
      }
    };
  }

  private static void resume(Channel listener) {
    if (!listener.config().isAutoRead())
      listener.eventLoop().execute(() -> listener.config().setAutoRead(true));
  }

  /** The whole pipeline of a refused connection (after an HttpResponseEncoder). */
  ChannelInboundHandlerAdapter refusal() {
    return new Refusal();
  }

  /** The cap for this process: the configured one, else the default bounded by the fd limit. */
  static int effective(int configured) {
    long fds = openFileLimit();
    if (configured > 0) {
      if (fds > 0 && configured > fds) {
        Log.warn(
            "[http] max_connections = "
                + configured
                + " is over this process's limit of "
                + fds
                + " open files; connections past that fail at accept (raise ulimit -n, or lower max_connections)");
      }
      return configured;
    }
    long free = fds - openFiles();
    if (fds > 0 && free / 2 < HttpConfig.DEFAULT_MAX_CONNECTIONS) {
      int cap = (int) Math.max(1, free / 2);
      Log.info(
          "at most "
              + cap
              + " HTTP connections at once: half of the "
              + free
              + " files this process may still open"
              + " (ulimit -n is "
              + fds
              + "); set [http] max_connections to choose");
      return cap;
    }
    return HttpConfig.DEFAULT_MAX_CONNECTIONS;
  }

  /** Descriptors open now (Linux); 0 where they cannot be counted. */
  static long openFiles() {
    try (var fds = Files.list(Path.of("/proc/self/fd"))) {
      return fds.count();
    } catch (IOException | RuntimeException e) {
      return 0;
    }
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

  private final class Refusal extends ChannelInboundHandlerAdapter {
    private boolean answered;

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
      Log.debug(
          "http: refusing a connection from "
              + ctx.channel().remoteAddress()
              + ": "
              + cap
              + " are open ([http] max_connections)");
      // A client that never sends gets the answer anyway, then the close.
      ctx.executor().schedule(() -> answer(ctx), LINGER_MS, TimeUnit.MILLISECONDS);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      ReferenceCountUtil.release(msg);
      answer(ctx);
    }

    /** Once per connection: the 503, the output shut, and a close at most LINGER_MS later. */
    private void answer(ChannelHandlerContext ctx) {
      if (answered || !ctx.channel().isActive()) return;
      answered = true;
      FullHttpResponse r =
          HttpReplies.error(
              HttpResponseStatus.SERVICE_UNAVAILABLE,
              HttpReplies.REFUSED,
              "Service Unavailable: this server already has "
                  + cap
                  + " connections open, its limit ([http] max_connections); "
                  + "retry in "
                  + RETRY_AFTER_SECONDS
                  + " s, or reuse an open connection");
      r.headers().setInt(HttpHeaderNames.RETRY_AFTER, RETRY_AFTER_SECONDS);
      r.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
      ctx.writeAndFlush(r)
          .addListener(
              f -> {
                if (f.isSuccess() && ctx.channel() instanceof SocketChannel s) s.shutdownOutput();
                else ctx.close();
              });
      ctx.executor().schedule(() -> ctx.close(), LINGER_MS, TimeUnit.MILLISECONDS);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      ctx.close();
    }
  }
}
