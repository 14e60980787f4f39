package dev.tandem.supervisor.pool;

import dev.tandem.supervisor.log.Log;
import dev.tandem.supervisor.pool.Replica.Role;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;

/**
 * A pool's slots and spares: {@link #reconcile} makes the workers match what the pool's state asks
 * for (every slot held, the spares topped up), no sooner than the restart backoff allows. Called by
 * every event and transition once it changed the state; under the pool's lock.
 */
final class Slots {

  private final PoolCore pool;

  // Guarded by pool.lock.
  /** No new worker starts before this: the restart backoff after a death. */
  Instant nextStartAt = Instant.EPOCH;

  private boolean reconcileScheduled;

  Slots(PoolCore pool) {
    this.pool = pool;
  }

  /**
   * Makes the workers match what the state asks for: each empty slot gets a ready spare at once, or
   * a new worker once the backoff has passed; then the spares are topped up.
   */
  void reconcile(AfterLock after) {
    PoolState phase = pool.phase;
    if (phase != PoolState.SERVING && phase != PoolState.HALF_OPEN) return;
    int wantServing = phase == PoolState.HALF_OPEN ? 1 : pool.config.replicas();
    int wantSpares = phase == PoolState.HALF_OPEN ? 0 : pool.limits.spare();
    Instant now = Instant.now();
    boolean mayStart = !now.isBefore(nextStartAt);
    boolean missing = false;
    for (int slot = 1; slot <= wantServing; slot++) {
      if (occupied(slot)) continue;
      Replica spare = readySpare();
      if (spare != null) {
        spare.role = Role.SERVING;
        spare.slot = slot;
        Log.worker(
            Log.Level.INFO,
            pool.name(),
            spare.id(),
            spare.worker.pid(),
            "spare now serves slot " + slot);
      } else if (mayStart) {
        pool.launching.launch(Role.SERVING, slot);
      } else {
        missing = true;
      }
    }
    long spares = pool.replicas.stream().filter(x -> x.role == Role.SPARE).count();
    for (long i = spares; i < wantSpares; i++) {
      if (mayStart) pool.launching.launch(Role.SPARE, 0);
      else missing = true;
    }
    if (missing && !reconcileScheduled) {
      reconcileScheduled = true;
      long delay = Math.max(1, Duration.between(now, nextStartAt).toMillis());
      PoolCore.TIMERS.schedule(this::reconcileLater, delay, TimeUnit.MILLISECONDS);
    }
  }

  private void reconcileLater() {
    AfterLock after = new AfterLock(pool.lock);
    synchronized (pool.lock) {
      reconcileScheduled = false;
      reconcile(after);
      pool.dispatch.pump(after);
    }
    after.run();
  }

  private boolean occupied(int slot) {
    for (Replica r : pool.replicas) if (r.role == Role.SERVING && r.slot == slot) return true;
    return false;
  }

  /** A spare on the current code: one a reload is replacing never takes a slot. */
  Replica readySpare() {
    for (Replica r : pool.replicas)
      if (r.role == Role.SPARE && r.ready() && r.generation == pool.generation) return r;
    return null;
  }
}
