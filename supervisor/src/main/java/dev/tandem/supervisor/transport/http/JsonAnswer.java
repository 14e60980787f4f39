package dev.tandem.supervisor.transport.http;

import dev.tandem.protocol.Message;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The single {@code application/json} response to a POSTed request, for a client that accepts
 * JSON but not an event stream. It carries the answer only: progress and server-to-client
 * requests go to the session's GET stream if it has one.
 */
final class JsonAnswer implements AnswerSink {

  private final Channel channel;
  private final boolean keepAlive;
  private final HttpHeaders extraHeaders;
  private final Runnable onGone;
  private final AtomicBoolean done = new AtomicBoolean();

  JsonAnswer(Channel channel, boolean keepAlive, HttpHeaders extraHeaders, Runnable onGone) {
    this.channel = channel;
    this.keepAlive = keepAlive;
    this.extraHeaders = extraHeaders;
    this.onGone = onGone;
    Responding.begin(channel, () -> {
      if (done.compareAndSet(false, true)) onGone.run();
    });
  }

  @Override
  public boolean offer(Message message) {
    if (!(message instanceof Message.Response) || !channel.isActive()) return false;
    if (!done.compareAndSet(false, true)) return false;
    FullHttpResponse r = HttpReplies.json(HttpResponseStatus.OK, message);
    if (extraHeaders != null) r.headers().add(extraHeaders);
    channel.eventLoop().execute(() -> {
      Responding.done(channel);
      if (keepAlive) {
        channel.writeAndFlush(r).addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
      } else {
        r.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        channel.writeAndFlush(r).addListener(ChannelFutureListener.CLOSE);
      }
      onGone.run();
    });
    return true;
  }

  /** There will be no answer (the request was cancelled): a request's response is then nothing. */
  @Override
  public void end() {
    if (done.compareAndSet(false, true)) {
      channel.eventLoop().execute(() -> Responding.done(channel));
      channel.close();
      onGone.run();
    }
  }
}
