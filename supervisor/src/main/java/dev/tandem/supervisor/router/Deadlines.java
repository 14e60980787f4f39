package dev.tandem.supervisor.router;

import dev.tandem.supervisor.log.Log;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Per-call deadlines without a timer per call. A {@code ScheduledThreadPoolExecutor} task per call
 * woke the timer thread on every call (a new task that is the queue's head signals the thread,
 * which then re-parks): with calls answered one after another, every call was the head. That was
 * ~0.8 context switches and ~14 µs of CPU per sequential call, a tenth of the daemon's hop.
 *
 * <p>Calls with the same timeout expire in the order they arrived, so each timeout value has one
 * {@link Lane}: a FIFO of the calls in flight, linked through the calls themselves so removing an
 * answered call is O(1). A lane keeps at most one check armed on the timer thread, at or before its
 * oldest call's deadline; calls that arrive meanwhile need no timer, and the check, when it runs,
 * expires what is due and re-arms for the next oldest. With answered calls leaving the lane at
 * once, memory is bounded by the calls in flight, as before.
 */
final class Deadlines {

  /** Something with a deadline: told once, on the timer thread, if it is still in a lane then. */
  abstract static class Entry {
    /** The lane it waits in; written only under that lane's lock. */
    private volatile Lane lane;

    private Entry prev;
    private Entry next;
    private long dueAt;

    abstract void expire();
  }

  private final ScheduledExecutorService timer;
  private final LongSupplier clock;
  private final ConcurrentHashMap<Long, Lane> lanes = new ConcurrentHashMap<>();

  Deadlines(ScheduledExecutorService timer) {
    this(timer, System::nanoTime);
  }

  Deadlines(ScheduledExecutorService timer, LongSupplier clock) {
    this.timer = timer;
    this.clock = clock;
  }

  /**
   * Expires {@code entry} after {@code timeoutNanos} unless it is {@link #cancel cancelled} first.
   */
  void add(Entry entry, long timeoutNanos) {
    lanes.computeIfAbsent(timeoutNanos, Lane::new).add(entry);
  }

  /** Takes an entry out of its lane; nothing happens if it already expired or was never added. */
  void cancel(Entry entry) {
    Lane lane = entry.lane;
    if (lane != null) lane.remove(entry);
  }

  /** How many entries wait in all lanes (for tests). */
  int size() {
    int n = 0;
    for (Lane lane : lanes.values()) {
      synchronized (lane) {
        for (Entry e = lane.head; e != null; e = e.next) n++;
      }
    }
    return n;
  }

  /** The entries with one timeout value, oldest first. Guarded by its own monitor. */
  private final class Lane {
    private final long timeoutNanos;
    private Entry head;
    private Entry tail;

    /**
     * Whether a check is armed; while the lane is not empty one is, at or before head's deadline.
     */
    private boolean armed;

    Lane(long timeoutNanos) {
      this.timeoutNanos = timeoutNanos;
    }

    void add(Entry entry) {
      boolean arm;
      synchronized (this) {
        // The clock is read under the lock, so dueAt never decreases along the lane.
        entry.dueAt = clock.getAsLong() + timeoutNanos;
        entry.lane = this;
        entry.prev = tail;
        if (tail == null) head = entry;
        else tail.next = entry;
        tail = entry;
        arm = !armed;
        armed = true;
      }
      if (arm) timer.schedule(this::check, timeoutNanos, TimeUnit.NANOSECONDS);
    }

    synchronized void remove(Entry entry) {
      if (entry.lane != this) return; // expired meanwhile
      entry.lane = null;
      unlink(entry);
    }

    private void unlink(Entry entry) {
      if (entry.prev == null) head = entry.next;
      else entry.prev.next = entry.next;
      if (entry.next == null) tail = entry.prev;
      else entry.next.prev = entry.prev;
      entry.prev = null;
      entry.next = null;
    }

    /** On the timer thread: expires what is due, then re-arms for the oldest left, if any. */
    private void check() {
      List<Entry> due = new ArrayList<>();
      long rearmIn = -1;
      synchronized (this) {
        long now = clock.getAsLong();
        while (head != null && head.dueAt - now <= 0) {
          Entry e = head;
          e.lane = null;
          unlink(e);
          due.add(e);
        }
        if (head == null) {
          armed = false;
        } else {
          rearmIn = head.dueAt - now;
        }
      }
      if (rearmIn >= 0) timer.schedule(this::check, rearmIn, TimeUnit.NANOSECONDS);
      for (Entry e : due) {
        try {
          e.expire();
        } catch (RuntimeException ex) {
          Log.error("a call's deadline could not be enforced: " + ex);
        }
      }
    }
  }
}
