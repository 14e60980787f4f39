package dev.tandem.supervisor.router;

import io.netty.util.concurrent.EventExecutor;
import io.netty.util.internal.ThreadExecutorMap;
import java.time.Duration;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/** Where a call's deadline is kept, by the thread that routes it. */
final class CallDeadline {

  /**
   * Per-call deadlines. Answered calls leave at once, so a flood of calls answered quickly leaves
   * nothing behind; expiring only completes futures, so one thread serves them all.
   */
  private static final Deadlines DEADLINES = new Deadlines(timerThread());

  private CallDeadline() {}

  /**
   * Runs {@code expire} after {@code timeout}; returns what cancels it. Routed on a Netty event
   * loop (every HTTP request is), it goes into that loop's own timer queue, which the loop fills
   * without a lock and the answering thread empties lazily, without one either: one shared timer
   * for every call was a lock each HTTP user's call took twice, and under 50 users the event loops
   * parked on it (JFR jdk.ThreadPark in DelayedWorkQueue.offer/remove). Routed elsewhere (stdio's
   * reader thread), into {@link #DEADLINES}' lanes, which wake no timer thread per call.
   */
  static Runnable arm(Runnable expire, Duration timeout) {
    EventExecutor loop = ThreadExecutorMap.currentExecutor();
    if (loop != null && !loop.isShuttingDown()) {
      try {
        var scheduled = loop.schedule(expire, timeout.toMillis(), TimeUnit.MILLISECONDS);
        return () -> scheduled.cancel(false);
      } catch (RejectedExecutionException e) {
        // the loop is stopping: the shared lanes still serve
      }
    }
    Armed entry = new Armed(expire);
    DEADLINES.add(entry, timeout.toNanos());
    return entry;
  }

  /**
   * A deadline in {@link #DEADLINES} and what cancels it, in one object: a capturing lambda per
   * call costs a runtime call under C1 (Unsafe.allocateInstance through a method handle).
   */
  private static final class Armed extends Deadlines.Entry implements Runnable {
    private final Runnable expire;

    Armed(Runnable expire) {
      this.expire = expire;
    }

    @Override
    void expire() {
      expire.run();
    }

    /** Cancels it. */
    @Override
    public void run() {
      DEADLINES.cancel(this);
    }
  }

  private static ScheduledExecutorService timerThread() {
    ScheduledThreadPoolExecutor timers =
        new ScheduledThreadPoolExecutor(
            1,
            r -> {
              Thread t = new Thread(r, "tandem-deadlines");
              t.setDaemon(true);
              return t;
            });
    timers.setRemoveOnCancelPolicy(true);
    return timers;
  }
}
