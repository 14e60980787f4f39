package dev.tandem.supervisor.transport.http;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The connection deadlines on Netty's embedded channel, whose clock the test moves by hand. */
class ConnectionClockTest {

  static final long IDLE_MS = 1000;
  static final long READ_MS = 3000;

  /** Answers each request when its last content arrives: whole (200) or as an open stream. */
  static final class Answer extends ChannelInboundHandlerAdapter {
    private final boolean stream;

    Answer(boolean stream) {
      this.stream = stream;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      boolean last = msg instanceof LastHttpContent;
      ReferenceCountUtil.release(msg);
      if (!last) return;
      if (stream)
        ctx.writeAndFlush(new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK));
      else ctx.writeAndFlush(HttpReplies.empty(HttpResponseStatus.OK));
    }
  }

  static EmbeddedChannel channel(boolean stream) {
    ConnectionClock clock =
        new ConnectionClock(Duration.ofMillis(IDLE_MS), Duration.ofMillis(READ_MS));
    EmbeddedChannel ch =
        new EmbeddedChannel(
            clock.bytes(), new HttpServerCodec(), clock.messages(), new Answer(stream));
    // Only the test moves the clock: the deadlines are checked lazily, against the loop's ticker,
    // which would otherwise also run with the wall clock between two steps of a test.
    ch.freezeTime();
    return ch;
  }

  static void send(EmbeddedChannel ch, String bytes) {
    ch.writeInbound(Unpooled.copiedBuffer(bytes, StandardCharsets.US_ASCII));
  }

  static void advance(EmbeddedChannel ch, long ms) {
    ch.advanceTimeBy(ms, TimeUnit.MILLISECONDS);
    ch.runScheduledPendingTasks();
  }

  static String written(EmbeddedChannel ch) {
    StringBuilder b = new StringBuilder();
    for (Object o; (o = ch.readOutbound()) != null; ) {
      if (o instanceof ByteBuf buf) b.append(buf.toString(StandardCharsets.US_ASCII));
      ReferenceCountUtil.release(o);
    }
    return b.toString();
  }

  @Test
  void keepAliveConnectionIsClosedOnceIdleAfterItsAnswer() {
    EmbeddedChannel ch = channel(false);
    send(ch, "GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n");
    assertTrue(written(ch).startsWith("HTTP/1.1 200"));
    advance(ch, IDLE_MS - 1);
    assertTrue(ch.isOpen(), "not idle yet");
    advance(ch, 1);
    assertFalse(ch.isOpen(), "idle for idle_timeout_ms");
  }

  @Test
  void aConnectionThatNeverSendsIsIdleToo() {
    EmbeddedChannel ch = channel(false);
    advance(ch, IDLE_MS);
    assertFalse(ch.isOpen());
  }

  @Test
  void openStreamIsNeverIdle() {
    EmbeddedChannel ch = channel(true);
    send(ch, "GET /mcp HTTP/1.1\r\nHost: localhost\r\nAccept: text/event-stream\r\n\r\n");
    assertTrue(written(ch).startsWith("HTTP/1.1 200"));
    advance(ch, 100 * IDLE_MS);
    assertTrue(ch.isOpen(), "a response still being written is not idle");
  }

  @Test
  void headStillArrivingAfterTheReadTimeoutIsAnswered408AndClosed() {
    EmbeddedChannel ch = channel(false);
    send(ch, "GET /healthz HTTP/1.1\r\nHost: local");
    for (int i = 0; i < READ_MS / 500 - 1; i++) {
      advance(ch, 500);
      send(ch, "h"); // a steady trickle does not extend the deadline
    }
    assertTrue(ch.isOpen());
    advance(ch, 500);
    String response = written(ch);
    assertTrue(response.startsWith("HTTP/1.1 408"), response);
    assertTrue(response.contains("read_timeout_ms"), response);
    assertFalse(ch.isOpen());
  }

  @Test
  void bodyStillArrivingAfterTheReadTimeoutIsAnswered408() {
    EmbeddedChannel ch = channel(false);
    send(ch, "POST /mcp HTTP/1.1\r\nHost: localhost\r\nContent-Length: 100\r\n\r\n{\"a\"");
    advance(ch, READ_MS);
    assertTrue(written(ch).startsWith("HTTP/1.1 408"));
    assertFalse(ch.isOpen());
  }
}
