package dev.tandem.supervisor.transport.http;

import dev.tandem.supervisor.log.Log;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;

/**
 * On the listening socket: a failed accept (most often EMFILE, "Too many open files") pauses
 * accepting for a second and is logged, at most once per {@link #LOG_EVERY_MS}, and the listener
 * stays open. Netty's own handling does the same pause but then logs through the pipeline's tail;
 * doing both here keeps the error in our words and off any path that could throw on the acceptor
 * thread. The connections waiting in the kernel's backlog are accepted once descriptors free up.
 */
final class AcceptErrors extends ChannelInboundHandlerAdapter {

  private static final long PAUSE_MS = 1000;
  private static final long LOG_EVERY_MS = 10_000;

  private final IntSupplier open;
  private long lastLogged = Long.MIN_VALUE / 2;
  private int unlogged;

  AcceptErrors(IntSupplier open) {
    this.open = open;
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    ctx.channel().config().setAutoRead(false);
    ctx.executor()
        .schedule(() -> ctx.channel().config().setAutoRead(true), PAUSE_MS, TimeUnit.MILLISECONDS);
    long now = System.nanoTime() / 1_000_000;
    if (now - lastLogged < LOG_EVERY_MS) {
      unlogged++;
      return;
    }
    lastLogged = now;
    String more = unlogged == 0 ? "" : " (and " + unlogged + " more since the last report)";
    unlogged = 0;
    Log.warn(
        "http: cannot accept a connection: "
            + cause.getMessage()
            + more
            + "; "
            + open.getAsInt()
            + " connections are open; pausing accepts for "
            + PAUSE_MS
            + " ms. Raise the open-file limit (ulimit -n) "
            + "or lower [http] max_connections");
  }
}
