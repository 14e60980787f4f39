package dev.tandem.supervisor.transport.http;

import dev.tandem.protocol.FrameBuffer;
import dev.tandem.protocol.Message;
import dev.tandem.protocol.MessageCodec;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpHeadersFactory;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpHeadersFactory;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.AsciiString;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The response to one POSTed request, which picks its own form when it has something to say (the
 * transport page lets the server choose, per request, between one {@code application/json} body and
 * a {@code text/event-stream}):
 *
 * <ul>
 *   <li>the answer is the first thing ready: one JSON response with {@code Content-Length}, written
 *       and flushed once, which is what nearly every call is;
 *   <li>a message about the call comes first (progress, a log line routed to it, a sampling or
 *       elicitation request): the response becomes an SSE stream ({@link SseStream}) carrying it,
 *       whatever follows, then the answer;
 *   <li>nothing at all by the time the first keep-alive would be due ({@code [http] keepalive_ms},
 *       at most a second): the stream opens then, so a long quiet call still shows a response head
 *       and keep-alive comments to proxies and clients with idle timeouts.
 * </ul>
 *
 * A client that accepts only JSON gets the answer alone (other messages are refused, and the
 * session sends them on its GET stream); one that accepts only SSE always gets a stream.
 *
 * <p>Concurrency: {@link #offer} and {@link #end} may be called from any thread; a message is
 * encoded there, and everything else happens on the channel's event loop, in offer order (see
 * {@link #onLoop}), so the choice is made once and a call's progress precedes its answer. Construct
 * on the event loop.
 */
final class Reply implements AnswerSink {

  /** How long a quiet request may keep its client waiting for a response head, at most. */
  static final Duration STREAM_AFTER = Duration.ofSeconds(1);

  static final Function<Message, HttpResponseStatus> OK = m -> HttpResponseStatus.OK;

  private static final AsciiString JSON = AsciiString.cached(HttpReplies.JSON);
  private static final AsciiString EVENT_STREAM = AsciiString.cached(HttpReplies.EVENT_STREAM);
  private static final HttpHeadersFactory OWN_HEADERS =
      DefaultHttpHeadersFactory.headersFactory().withValidation(false);

  private final Channel channel;
  private final boolean keepAlive;
  private final boolean json;
  private final boolean events;

  /** Names the response in a log line; built only then (a JSON-RPC id's text is not free). */
  private final Supplier<String> label;

  private final Duration keepalive;
  private final HttpHeaders extraHeaders;
  private final Function<Message, HttpResponseStatus> statusOf;
  private final Runnable onGone;
  private final Runnable onStall;

  /** Set by the first of: the answer offered, end(). Nothing is taken after it. */
  private final AtomicBoolean settled = new AtomicBoolean();

  /** The client went away, or stopped reading a stream. */
  private volatile boolean closed;

  /** Tasks of this reply queued on the event loop and not run yet. */
  private final AtomicInteger queued = new AtomicInteger();

  // The event loop's alone.
  private SseStream stream;
  private boolean done;

  /** Set while this reply waits for something to say (it accepts a stream), else null. */
  private QuietTimer quiet;

  /**
   * @param extraHeaders added to the response head (initialize's {@code Mcp-Session-Id}), or null
   * @param statusOf the HTTP status of an answer sent as JSON
   * @param onGone told once when the response is complete or the client is gone
   * @param onStall told when the client stopped reading a stream, which was closed for it
   */
  Reply(
      Channel channel,
      boolean keepAlive,
      Accepts accepts,
      Supplier<String> label,
      Duration keepalive,
      HttpHeaders extraHeaders,
      Function<Message, HttpResponseStatus> statusOf,
      Runnable onGone,
      Runnable onStall) {
    this.channel = channel;
    this.keepAlive = keepAlive;
    this.json = accepts.json();
    this.events = accepts.eventStream();
    this.label = label;
    this.keepalive = keepalive;
    this.extraHeaders = extraHeaders;
    this.statusOf = statusOf;
    this.onGone = onGone;
    this.onStall = onStall;
    Responding.begin(channel, this::clientGone);
    if (events) {
      quiet = QuietTimer.of(channel);
      quiet.set(this, Math.min(STREAM_AFTER.toMillis(), keepalive.toMillis()));
    }
  }

  @Override
  public boolean offer(Message message) {
    boolean answer = message instanceof Message.Response;
    if (closed) return false;
    if (answer ? !settled.compareAndSet(false, true) : !events || settled.get()) return false;
    byte[] body = encode(message);
    HttpResponseStatus status = answer ? statusOf.apply(message) : null;
    onLoop(() -> deliver(body, answer, status));
    return true;
  }

  /** No answer will come (cancelled, or the session closed): the response ends without one. */
  @Override
  public void end() {
    if (!settled.compareAndSet(false, true)) return;
    onLoop(
        () -> {
          if (done) return;
          done = true;
          cancelQuiet();
          if (stream != null) {
            stream.finish();
            return;
          }
          Responding.done(channel);
          if (events) {
            // An event stream with no events: the connection stays usable.
            send(HttpResponseStatus.OK, EVENT_STREAM, new byte[0]);
          } else {
            channel.close();
          }
          onGone.run();
        });
  }

  /** The request was refused before it was handed over: nothing was sent, nothing will be. */
  void abandon() {
    settled.set(true);
    done = true;
    cancelQuiet();
    Responding.done(channel);
  }

  private void deliver(byte[] body, boolean answer, HttpResponseStatus status) {
    if (done) return;
    if (stream == null) {
      if (answer && json) {
        done = true;
        cancelQuiet();
        Responding.done(channel);
        send(status, JSON, body);
        onGone.run();
        return;
      }
      openStream();
    }
    stream.send(body);
    if (answer) {
      done = true;
      stream.finish();
    }
  }

  /** Nothing to say yet when the first keep-alive is due: the head goes now, as a stream. */
  void stayedQuiet() {
    quiet = null;
    if (!done && stream == null) openStream();
  }

  private void openStream() {
    cancelQuiet();
    stream =
        new SseStream(
            channel,
            keepAlive,
            label.get(),
            () -> {
              closed = true;
              onGone.run();
            },
            onStall);
    stream.start(extraHeaders, keepalive);
  }

  /** The connection closed before the response was complete (a stream reports its own). */
  private void clientGone() {
    closed = true;
    if (done) return;
    done = true;
    cancelQuiet();
    onGone.run();
  }

  private void cancelQuiet() {
    if (quiet != null) {
      quiet.clear(this);
      quiet = null;
    }
  }

  /**
   * One complete response, its length known: a single write and flush. Its header names and values
   * are tandem's own constants (and a session id it generated), so they skip the per-header
   * validation a client's headers get.
   */
  private void send(HttpResponseStatus status, AsciiString contentType, byte[] body) {
    FullHttpResponse r =
        new DefaultFullHttpResponse(
            HttpVersion.HTTP_1_1,
            status,
            Unpooled.wrappedBuffer(body),
            OWN_HEADERS,
            DefaultHttpHeadersFactory.trailersFactory());
    r.headers()
        .set(HttpHeaderNames.CONTENT_TYPE, contentType)
        .setInt(HttpHeaderNames.CONTENT_LENGTH, body.length);
    if (extraHeaders != null) r.headers().add(extraHeaders);
    if (keepAlive) {
      channel.writeAndFlush(r).addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
    } else {
      r.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
      channel.writeAndFlush(r).addListener(ChannelFutureListener.CLOSE);
    }
  }

  /**
   * Runs on the event loop, after whatever this reply queued before: at once when called there with
   * nothing queued (an answer ready as the request is handed over, or completed under it), else
   * queued. Without the count an answer completed on the loop would overtake the progress a
   * worker's reader thread queued just before it.
   */
  private void onLoop(Runnable task) {
    if (channel.eventLoop().inEventLoop() && queued.get() == 0) {
      task.run();
      return;
    }
    queued.incrementAndGet();
    channel
        .eventLoop()
        .execute(
            () -> {
              queued.decrementAndGet();
              task.run();
            });
  }

  /** A message as the JSON text both forms carry. */
  static byte[] encode(Message message) {
    // Streamed by the codec into its scratch buffer, then copied once, without the newline.
    FrameBuffer frame = MessageCodec.encodeInScratch(message);
    return Arrays.copyOf(frame.array(), frame.length() - 1);
  }
}
