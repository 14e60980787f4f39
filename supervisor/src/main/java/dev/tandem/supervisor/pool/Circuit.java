package dev.tandem.supervisor.pool;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.supervisor.log.Log;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A pool's circuit breaker, what OTP calls reaching the restart intensity: when its workers die
 * more than {@code max_restarts} times in {@code restart_window} ({@link RestartPolicy}), the pool
 * opens (every worker stopped, calls fail at once with the cause), after {@code half_open_after}
 * tries one worker with one call at a time, and closes again once a call on it is answered or it
 * survives a whole window. Methods named as events take the pool's lock themselves; the others run
 * under it.
 */
final class Circuit {

  /** Enough of the last death's stderr, in a refusal, to show the error. */
  private static final int DEATH_LINES = 5;

  private final PoolCore pool;
  // Guarded by pool.lock.
  private String openedBecause;
  private Instant halfOpenAt;

  Circuit(PoolCore pool) {
    this.pool = pool;
  }

  /** Too many deaths: fail fast with the cause, stop every worker, try again later. */
  void open(String why, AfterLock after) {
    Duration pause = pool.limits.halfOpenAfter();
    pool.reloading.interrupt("the pool opened meanwhile: " + why, after);
    pool.phase = PoolState.OPEN;
    openedBecause = why;
    halfOpenAt = Instant.now().plus(pause);
    for (Replica r : List.copyOf(pool.replicas)) pool.retire(r, after);
    pool.dispatch.failQueue(openError(), after);
    PoolCore.TIMERS.schedule(this::halfOpen, pause.toMillis(), TimeUnit.MILLISECONDS);
    Death last = pool.lastDeath;
    Log.block(
        Log.Level.ERROR,
        "pool="
            + pool.name()
            + " is open: "
            + why
            + "; its calls fail at once until it is tried again in "
            + pause.toMillis()
            + " ms (half_open_after_ms)",
        last == null ? "" : String.join("\n", last.stderrTail()));
  }

  /**
   * Half-open: one worker, one call at a time, no backoff: the question is whether the cause is
   * gone.
   */
  private void halfOpen() {
    AfterLock after = new AfterLock(pool.lock);
    synchronized (pool.lock) {
      if (pool.phase != PoolState.OPEN) return;
      pool.phase = PoolState.HALF_OPEN;
      pool.slots.nextStartAt = Instant.EPOCH;
      Log.info("pool=" + pool.name() + " is half-open: starting one worker to try again");
      pool.slots.reconcile(after);
    }
    after.run();
  }

  /** The half-open pool's worker is ready: if it is still up a window later, the cause is gone. */
  void trying(Replica r) {
    PoolCore.TIMERS.schedule(
        () -> survived(r), pool.limits.restartWindow().toMillis(), TimeUnit.MILLISECONDS);
  }

  private void survived(Replica r) {
    AfterLock after = new AfterLock(pool.lock);
    synchronized (pool.lock) {
      if (pool.phase == PoolState.HALF_OPEN && pool.replicas.contains(r) && !r.retiring) {
        close(
            "its probe worker stayed up for " + pool.limits.restartWindow().toMillis() + " ms",
            after);
      }
    }
    after.run();
  }

  /** The cause is gone: serve with every replica and spare again, with a clean restart history. */
  void close(String why, AfterLock after) {
    pool.phase = PoolState.SERVING;
    openedBecause = null;
    halfOpenAt = null;
    pool.policy.reset();
    pool.slots.nextStartAt = Instant.EPOCH;
    Log.info("pool=" + pool.name() + " is serving again: " + why);
    pool.slots.reconcile(after);
    pool.dispatch.pump(after);
  }

  /**
   * What a call to an open pool fails with: why it opened, when it is tried again, the last stderr.
   */
  PoolUnavailable openError() {
    long inMs =
        halfOpenAt == null
            ? 0
            : Math.max(0, Duration.between(Instant.now(), halfOpenAt).toMillis());
    return new PoolUnavailable(
        "pool \""
            + pool.name()
            + "\" is open: "
            + openedBecause
            + ". Its calls fail at once until it is tried again in "
            + inMs
            + " ms (half_open_after_ms); fix the cause meanwhile"
            + (pool.lastDeath == null ? "" : pool.lastDeath.lastLines(DEATH_LINES)));
  }

  /** Its part of the pool's status. Under the pool's lock. */
  void status(ObjectNode into, Instant now) {
    if (openedBecause != null) into.put("openBecause", openedBecause);
    if (halfOpenAt != null && pool.phase == PoolState.OPEN) {
      into.put("halfOpenInMs", Math.max(0, Duration.between(now, halfOpenAt).toMillis()));
    }
  }
}
