package dev.tandem.supervisor.pool;

import dev.tandem.supervisor.log.Log;
import dev.tandem.supervisor.pool.Replica.Role;
import java.time.Duration;

/**
 * Replacing workers that are alive: recycled before a leak hurts them (after {@code max_calls}, or
 * past {@code max_rss_mb}), replaced at once when their tool threads are stuck, killed when they
 * miss a ping. None of these is a death the restart policy counts, except the ping: its SIGKILL
 * makes the exit one. The events come from {@link HealthCheck} and the pool.
 */
final class Recycling {

  private final PoolCore pool;

  Recycling(PoolCore pool) {
    this.pool = pool;
  }

  /** The worker did not answer a ping in time: alive but useless. SIGKILL; its exit replaces it. */
  void pingMissed(Replica r, Duration timeout) {
    synchronized (pool.lock) {
      if (r.retiring || !pool.replicas.contains(r)) return;
    }
    r.worker.kill(
        "it did not answer a ping within "
            + timeout.toMillis()
            + " ms (ping_timeout_ms): it is stopped, deadlocked or stuck in native code");
  }

  /**
   * New load figures: a worker over its memory ceiling is recycled; one whose tool threads run
   * calls that ended more than ping_timeout ago is replaced at once (gunicorn's timeout), since
   * Python cannot free those threads and calls would wait behind them. New load is counted either
   * way ({@link Replica#load}), so the pool sends new calls elsewhere meanwhile.
   */
  void statsArrived(Replica r) {
    var limits = pool.limits;
    AfterLock after = new AfterLock(pool.lock);
    synchronized (pool.lock) {
      long ceiling = limits.maxRssMb() << 20;
      if (r.stuckThreads > 0 && r.stuckForMs > limits.pingTimeout().toMillis()) {
        replaceStuck(
            r,
            r.stuckThreads
                + " tool thread(s) still run calls that were cancelled or passed call_timeout_ms = "
                + limits.callTimeout().toMillis()
                + ", the oldest for "
                + r.stuckForMs
                + " ms (more than ping_timeout_ms = "
                + limits.pingTimeout().toMillis()
                + "); Python cannot stop a thread, so the worker is replaced",
            after);
      } else if (ceiling > 0 && r.rssBytes > ceiling) {
        recycle(
            r,
            "its RSS of " + (r.rssBytes >> 20) + " MiB is over max_rss_mb = " + limits.maxRssMb(),
            after);
      }
    }
    after.run();
  }

  /**
   * Replaces a healthy worker before a leak hurts it: it takes no new calls and stops once its
   * calls are done, while a spare (or a new worker) takes its slot. One at a time per pool, so
   * capacity drops by at most one worker; the next check recycles the next. Under the lock.
   */
  void recycle(Replica r, String why, AfterLock after) {
    if (pool.phase != PoolState.SERVING || r.role != Role.SERVING || r.retiring) return;
    if (pool.replicas.stream().anyMatch(x -> x.role == Role.DRAINING)) return;
    r.role = Role.DRAINING;
    r.retiring = true;
    Log.worker(Log.Level.INFO, pool.name(), r.id(), r.worker.pid(), "recycling it: " + why);
    pool.slots.reconcile(after);
    if (r.inFlight == 0) pool.retire(r, after);
  }

  /**
   * Replaces a worker whose tool threads are stuck: it takes no new calls, a spare takes its slot,
   * and it is stopped now, not once its calls end, since they may wait behind the stuck threads for
   * ever. The calls it still holds are answered at once with the reason ({@link
   * dev.tandem.supervisor.worker.WorkerLink#kill}); a read-only or idempotent one is retried on
   * another worker. Not a death: the restart policy does not count it.
   */
  private void replaceStuck(Replica r, String why, AfterLock after) {
    if (r.retiring || !pool.replicas.contains(r) || pool.phase == PoolState.STOPPING) return;
    Role was = r.role;
    r.role = Role.DRAINING;
    pool.retire(r, after);
    Log.worker(Log.Level.WARN, pool.name(), r.id(), r.worker.pid(), "replacing it: " + why);
    if (was == Role.SERVING) pool.slots.reconcile(after);
    if (r.inFlight > 0) after.add(() -> r.worker.kill(why));
  }
}
