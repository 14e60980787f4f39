package dev.tandem.supervisor.transport.http;

import io.netty.channel.Channel;
import io.netty.util.Attribute;
import io.netty.util.AttributeKey;

/**
 * The response a connection is still writing (an open SSE stream, a JSON answer not yet ready), and
 * what to tell it if the client goes away. Kept on the channel rather than as close-future
 * listeners, which would pile up, one per request, on a long-lived keep-alive connection.
 *
 * <p>HTTP/1.1 answers in request order, so a request pipelined behind an unfinished response could
 * only be answered by interleaving two responses on one socket: such a connection is closed
 * instead. Clients of this transport do not pipeline.
 */
final class Responding {

  private static final AttributeKey<Runnable> ON_CLOSE = AttributeKey.valueOf("tandem.responding");

  private Responding() {}

  static void begin(Channel channel, Runnable onClose) {
    channel.attr(ON_CLOSE).set(onClose);
  }

  static void done(Channel channel) {
    channel.attr(ON_CLOSE).set(null);
  }

  static boolean busy(Channel channel) {
    return channel.attr(ON_CLOSE).get() != null;
  }

  /** The connection closed: the response in progress, if any, learns its client is gone. */
  static void closed(Channel channel) {
    Attribute<Runnable> attr = channel.attr(ON_CLOSE);
    Runnable onClose = attr.getAndSet(null);
    if (onClose != null) onClose.run();
  }
}
