package dev.tandem.supervisor.transport.http;

import io.netty.channel.Channel;
import io.netty.util.AttributeKey;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * The "nothing to say yet" deadline of the {@link Reply} a connection is answering, one lazily
 * re-armed timer per connection. HTTP/1.1 answers one request at a time ({@link Responding}), so
 * one deadline per connection is enough. A task scheduled and cancelled per request (an allocation
 * and a priority-queue insert and removal on the event loop, for a deadline nearly every call beats
 * by three orders of magnitude) is replaced by one check that, finding the deadline moved, sleeps
 * until the new one: a busy keep-alive connection takes about one timer task per second. Event loop
 * only.
 */
final class QuietTimer {

  private static final AttributeKey<QuietTimer> KEY = AttributeKey.valueOf("tandem.quiet");

  private final Channel channel;

  /** The reply whose deadline is set, or null. */
  private Reply waiting;

  private long deadline;

  /** The pending check, and when it runs; it may run before the deadline, never after. */
  private ScheduledFuture<?> timer;

  private long checkAt;

  private QuietTimer(Channel channel) {
    this.channel = channel;
  }

  static QuietTimer of(Channel channel) {
    QuietTimer t = channel.attr(KEY).get();
    if (t == null) {
      t = new QuietTimer(channel);
      channel.attr(KEY).set(t);
    }
    return t;
  }

  /**
   * {@code reply} is told {@link Reply#stayedQuiet} in {@code ms} unless {@link #clear}ed first.
   */
  void set(Reply reply, long ms) {
    waiting = reply;
    deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(ms);
    if (timer == null || checkAt - deadline > 0) checkAt(deadline);
  }

  /** {@code reply} has said something (or is done): its deadline no longer applies. */
  void clear(Reply reply) {
    if (waiting == reply) waiting = null;
  }

  private void checkAt(long at) {
    if (timer != null) timer.cancel(false);
    checkAt = at;
    timer = channel.eventLoop().schedule(this::check, at - System.nanoTime(), TimeUnit.NANOSECONDS);
  }

  private void check() {
    timer = null;
    Reply r = waiting;
    if (r == null) return;
    if (System.nanoTime() - deadline < 0) {
      checkAt(deadline);
      return;
    }
    waiting = null;
    r.stayedQuiet();
  }
}
