package dev.tandem.supervisor.pool;

import dev.tandem.supervisor.config.Supervision;
import dev.tandem.supervisor.pool.Replica.Role;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * Where a call goes: the least-loaded ready worker with room under {@code max_concurrency}; when
 * every worker is full, a queue of at most {@code queue} calls; past that, an immediate refusal. So
 * a flood costs a bounded amount of memory and the caller learns at once that it must back off,
 * instead of timing out later.
 *
 * <p>Not thread-safe: the pool calls it under its lock.
 */
final class Admission {

  private final String pool;
  private final Supervision limits;
  private final ArrayDeque<PoolCall> queue = new ArrayDeque<>();
  private long refused;

  Admission(String pool, Supervision limits) {
    this.pool = pool;
    this.limits = limits;
  }

  /**
   * The ready serving worker with the least load (its calls, and threads that calls which are over
   * still hold), if any has room. A half-open pool allows one call at a time: it is a trial, and a
   * crash should cost one call, not sixteen.
   */
  Replica pick(List<Replica> replicas, boolean halfOpen) {
    int room = halfOpen ? 1 : limits.maxConcurrency();
    Replica best = null;
    for (Replica r : replicas) {
      if (r.role == Role.SERVING
          && r.ready()
          && r.load() < room
          && (best == null || r.load() < best.load())) {
        best = r;
      }
    }
    return best;
  }

  /** Queues the call if there is room; false means it must be refused. */
  boolean enqueue(PoolCall call) {
    if (queue.size() >= limits.queue()) {
      refused++;
      return false;
    }
    queue.addLast(call);
    return true;
  }

  PoolCall next() {
    return queue.pollFirst();
  }

  boolean hasQueued() {
    return !queue.isEmpty();
  }

  boolean remove(PoolCall call) {
    return queue.remove(call);
  }

  /** Empties the queue, for a pool that opens or stops: each returned call must be failed. */
  List<PoolCall> drain() {
    List<PoolCall> all = new ArrayList<>(queue);
    queue.clear();
    return all;
  }

  PoolUnavailable overloaded(long serving) {
    return new PoolUnavailable(
        "pool \""
            + pool
            + "\" is overloaded: "
            + serving
            + " worker(s) each running their max_concurrency = "
            + limits.maxConcurrency()
            + " calls and "
            + queue.size()
            + " call(s) queued (queue = "
            + limits.queue()
            + "); try again shortly, or raise replicas, max_concurrency or queue");
  }

  int depth() {
    return queue.size();
  }

  long refused() {
    return refused;
  }
}
