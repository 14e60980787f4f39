package dev.tandem.supervisor.transport.http;

import dev.tandem.protocol.Message;
import dev.tandem.supervisor.log.Log;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.concurrent.ScheduledFuture;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * One Server-Sent Events response: a session's standalone GET stream, or a POST's stream once its
 * {@link Reply} chose to stream (its progress, the requests it causes, then its answer).
 *
 * <p>Concurrency: {@link #offer} may be called from any thread; every write happens on the
 * channel's event loop, in offer order, so a call's progress always precedes its answer.
 *
 * <p>Memory: Netty queues what the client has not read yet. A write is made only while the channel
 * is writable, that is while less than {@code [http] stream_buffer_bytes} waits for this client; an
 * event or keep-alive that finds it unwritable means the client stopped reading, and the stream is
 * closed and {@code onStall} told (it cancels the call). So one stalled client holds at most that
 * much plus one event, and never slows anyone else.
 *
 * <p>Events carry no {@code id}: an id tells a client the stream can be resumed with {@code
 * Last-Event-ID} (the SDK client then retries a stream that ended without an answer), and tandem
 * does not replay streams.
 */
final class SseStream implements AnswerSink {

  private static final byte[] KEEPALIVE = ": keepalive\n\n".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] DATA = "data: ".getBytes(StandardCharsets.US_ASCII);

  private final Channel channel;
  private final boolean keepAlive;
  private final String label;
  private final Runnable onGone;
  private final Runnable onStall;
  private volatile boolean open = true;
  private ScheduledFuture<?> keepaliveTask;
  private boolean ended;

  /**
   * @param onGone told once when the stream ends for any reason (answered, closed, client left)
   * @param onStall told when the client stopped reading and the stream was closed for it
   */
  SseStream(Channel channel, boolean keepAlive, String label, Runnable onGone, Runnable onStall) {
    this.channel = channel;
    this.keepAlive = keepAlive;
    this.label = label;
    this.onGone = onGone;
    this.onStall = onStall;
  }

  /** Sends the response head and starts the keep-alive comments; call on the event loop. */
  void start(HttpHeaders extraHeaders, Duration keepaliveEvery) {
    HttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
    head.headers()
        .set(HttpHeaderNames.CONTENT_TYPE, HttpReplies.EVENT_STREAM)
        .set(HttpHeaderNames.CACHE_CONTROL, HttpHeaderValues.NO_CACHE)
        .set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED)
        // Stops a buffering reverse proxy (nginx) from holding events back.
        .set("X-Accel-Buffering", "no");
    if (!keepAlive) head.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
    if (extraHeaders != null) head.headers().add(extraHeaders);
    Responding.begin(channel, this::gone);
    channel.writeAndFlush(head).addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
    long every = keepaliveEvery.toMillis();
    keepaliveTask =
        channel
            .eventLoop()
            .scheduleAtFixedRate(
                () -> write(Unpooled.wrappedBuffer(KEEPALIVE)),
                every,
                every,
                TimeUnit.MILLISECONDS);
  }

  @Override
  public boolean offer(Message message) {
    if (!open) return false;
    ByteBuf event = Unpooled.wrappedBuffer(event(Reply.encode(message)));
    channel.eventLoop().execute(() -> write(event));
    return true;
  }

  /** One message already encoded as JSON ({@link Reply#encode}); call on the event loop. */
  void send(byte[] json) {
    write(Unpooled.wrappedBuffer(event(json)));
  }

  @Override
  public void end() {
    channel.eventLoop().execute(this::finish);
  }

  /** Ends the response (its last chunk); call on the event loop. */
  void finish() {
    if (ended) return;
    ended = true;
    open = false;
    cancelKeepalive();
    var last = channel.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT);
    last.addListener(
        keepAlive ? ChannelFutureListener.CLOSE_ON_FAILURE : ChannelFutureListener.CLOSE);
    Responding.done(channel);
    onGone.run();
  }

  boolean isOpen() {
    return open;
  }

  private void write(ByteBuf chunk) {
    if (ended) {
      chunk.release();
      return;
    }
    if (!channel.isWritable()) {
      chunk.release();
      stalled();
      return;
    }
    channel
        .writeAndFlush(new DefaultHttpContent(chunk))
        .addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
  }

  private void stalled() {
    var unread = channel.unsafe().outboundBuffer();
    Log.warn(
        label
            + ": closed its SSE stream: the client has left "
            + (unread == null ? "?" : unread.totalPendingWriteBytes())
            + " bytes unread (limit [http] stream_buffer_bytes); it is not reading, so its call is cancelled");
    ended = true;
    open = false;
    cancelKeepalive();
    Responding.done(channel);
    channel.close();
    onStall.run();
    onGone.run();
  }

  /** The client closed the connection; runs on the event loop. */
  private void gone() {
    open = false;
    if (ended) return;
    ended = true;
    cancelKeepalive();
    onGone.run();
  }

  private void cancelKeepalive() {
    if (keepaliveTask != null) keepaliveTask.cancel(false);
  }

  /** One {@code message} event: the JSON on a single data line (JSON text has no raw newlines). */
  private static byte[] event(byte[] json) {
    byte[] event = new byte[6 + json.length + 2];
    System.arraycopy(DATA, 0, event, 0, 6);
    System.arraycopy(json, 0, event, 6, json.length);
    event[event.length - 2] = '\n';
    event[event.length - 1] = '\n';
    return event;
  }
}
