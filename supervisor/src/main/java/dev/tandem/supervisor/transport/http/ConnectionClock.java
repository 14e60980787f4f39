package dev.tandem.supervisor.transport.http;

import dev.tandem.supervisor.log.Log;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.LastHttpContent;
import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * The two deadlines of one connection, so that no client can hold a connection (and its file
 * descriptor) by doing nothing or by doing it slowly:
 *
 * <ul>
 *   <li><b>idle</b> ({@code [http] idle_timeout_ms}): nothing is being read and nothing answered,
 *       as between two requests of a keep-alive connection, or before the first; the connection is
 *       closed. A response still being written is not idle: an SSE stream (a GET stream, a POST
 *       whose call is still running) is exempt for as long as it is open, and it carries keep-alive
 *       comments anyway.
 *   <li><b>read</b> ({@code [http] read_timeout_ms}): from a request's first byte to the end of its
 *       body, counted as a whole so a client trickling one byte a second cannot stretch it; the
 *       request is answered 408 (unless its response has begun) and the connection closed.
 * </ul>
 *
 * It needs two vantage points: {@link #bytes} sits before the codec and sees a request begin (a
 * head that never completes never becomes an {@code HttpRequest}); {@link #messages} sits after it
 * and sees requests end and responses begin and end. Both run on the channel's event loop, so the
 * state needs no lock.
 */
final class ConnectionClock {

  private final long idleMs;
  private final long readMs;

  /** Bytes of a request have arrived and its last content has not. */
  private boolean reading;

  /** A request's head was read and its final response not yet written. */
  private boolean answering;

  /** The status line of that response has been written (so a 408 can no longer be sent). */
  private boolean responseStarted;

  /**
   * A deadline is set: {@link #deadline} (the event loop's ticker), for reading or for idleness.
   */
  private boolean armed;

  private boolean expiresRead;
  private long deadline;

  /** The pending check, and when it runs; it may run before the deadline, never after. */
  private ScheduledFuture<?> timer;

  private long checkAt;

  /** Where {@link #messages} sits: a 408 written from there goes through the encoder. */
  private ChannelHandlerContext afterCodec;

  ConnectionClock(Duration idle, Duration read) {
    this.idleMs = idle.toMillis();
    this.readMs = read.toMillis();
  }

  /** Goes before the codec. */
  ChannelInboundHandlerAdapter bytes() {
    return new ChannelInboundHandlerAdapter() {
      @Override
      public void channelActive(ChannelHandlerContext ctx) throws Exception {
        rearm(ctx);
        super.channelActive(ctx);
      }

      @Override
      public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!reading && msg instanceof ByteBuf b && b.isReadable()) {
          reading = true;
          rearm(ctx);
        }
        ctx.fireChannelRead(msg);
      }

      @Override
      public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        cancel();
        super.channelInactive(ctx);
      }
    };
  }

  /** Goes right after the codec. */
  ChannelDuplexHandler messages() {
    return new ChannelDuplexHandler() {
      @Override
      public void handlerAdded(ChannelHandlerContext ctx) {
        afterCodec = ctx;
      }

      @Override
      public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof HttpRequest) {
          answering = true;
          responseStarted = false;
          if (!reading) {
            reading = true;
            rearm(ctx);
          }
        }
        if (msg instanceof LastHttpContent) {
          reading = false;
          rearm(ctx);
        }
        ctx.fireChannelRead(msg);
      }

      @Override
      public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (msg instanceof HttpResponse r && r.status().code() >= 200) responseStarted = true;
        boolean ends =
            msg instanceof LastHttpContent
                && !(msg instanceof HttpResponse r && r.status().code() < 200);
        ctx.write(msg, promise);
        if (ends) {
          answering = false;
          responseStarted = false;
          rearm(ctx);
        }
      }
    };
  }

  /**
   * Sets the one deadline the current state calls for, or none. The timer is lazy: a request and
   * its answer move the deadline two or three times, and rescheduling a task each time (an
   * allocation and a priority-queue insert and removal on the event loop) cost more than the rest
   * of this class; the pending check instead finds the deadline moved and sleeps again until it.
   * Only a deadline earlier than the pending check (a read deadline while waiting out idleness)
   * takes a new task.
   */
  private void rearm(ChannelHandlerContext ctx) {
    long ms = reading ? readMs : answering ? -1 : idleMs;
    if (ms < 0) {
      armed = false;
      return;
    }
    armed = true;
    expiresRead = reading;
    deadline = ctx.executor().ticker().nanoTime() + TimeUnit.MILLISECONDS.toNanos(ms);
    if (timer == null || checkAt - deadline > 0) checkAt(ctx, deadline);
  }

  private void checkAt(ChannelHandlerContext ctx, long at) {
    cancel();
    checkAt = at;
    timer =
        ctx.executor()
            .schedule(
                () -> check(ctx), at - ctx.executor().ticker().nanoTime(), TimeUnit.NANOSECONDS);
  }

  private void check(ChannelHandlerContext ctx) {
    timer = null;
    if (!armed) return;
    if (ctx.executor().ticker().nanoTime() - deadline < 0) {
      checkAt(ctx, deadline);
      return;
    }
    armed = false;
    if (expiresRead) {
      readExpired();
    } else {
      idleExpired();
    }
  }

  private void cancel() {
    if (timer != null) {
      timer.cancel(false);
      timer = null;
    }
  }

  private void idleExpired() {
    ChannelHandlerContext ctx = afterCodec;
    if (reading || answering || !ctx.channel().isActive()) return;
    Log.debug(
        "http: closing the connection from "
            + ctx.channel().remoteAddress()
            + ", idle for "
            + idleMs
            + " ms ([http] idle_timeout_ms)");
    ctx.close();
  }

  private void readExpired() {
    ChannelHandlerContext ctx = afterCodec;
    if (!reading || !ctx.channel().isActive()) return;
    Log.debug(
        "http: the request from "
            + ctx.channel().remoteAddress()
            + " did not arrive within "
            + readMs
            + " ms ([http] read_timeout_ms); answering 408 and closing");
    if (responseStarted) {
      ctx.close();
      return;
    }
    FullHttpResponse r =
        HttpReplies.error(
            HttpResponseStatus.REQUEST_TIMEOUT,
            HttpReplies.REFUSED,
            "Request Timeout: the request's head and body did not arrive within "
                + readMs
                + " ms ([http] read_timeout_ms); send the whole request at once");
    r.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
    ctx.writeAndFlush(r).addListener(ChannelFutureListener.CLOSE);
  }
}
