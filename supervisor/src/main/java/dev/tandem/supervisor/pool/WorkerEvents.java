package dev.tandem.supervisor.pool;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.protocol.Failures;
import dev.tandem.supervisor.log.Log;
import dev.tandem.supervisor.pool.Replica.Role;
import dev.tandem.supervisor.worker.ExitStatus;
import dev.tandem.supervisor.worker.Worker;
import dev.tandem.supervisor.worker.WorkerError;
import dev.tandem.supervisor.worker.WorkerLink;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.TimeoutException;

/**
 * The supervisor's events, read top to bottom as OTP's supervisor.erl: a worker became ready; a
 * worker could not start; a worker's process exited (planned, or a death); a call finished; and
 * what a worker says that concerns the whole pool (its lists changed, a resource changed). Each
 * takes the pool's lock, changes the state, then {@link Slots#reconcile} starts or promotes workers
 * until the pool has what its state asks for, {@link Dispatch#pump} hands queued calls to workers
 * with room, and {@link Reloading#roll} replaces one more old worker if a reload is under way; the
 * side effects run once the lock is released ({@link AfterLock}).
 */
final class WorkerEvents implements WorkerLink.Events {

  /** The least a spare that took a dead worker's place waits to be replaced by a new one. */
  static final Duration SPARE_REFILL_DELAY = Duration.ofMillis(100);

  private final PoolCore pool;

  WorkerEvents(PoolCore pool) {
    this.pool = pool;
  }

  /**
   * A worker answered initialize: readiness. Only now may it take calls, and its health is checked.
   */
  void ready(Replica r) {
    if (pool.config.isPython()) pool.python.learnFrom(r.worker.initializeResult());
    var limits = pool.limits;
    AfterLock after = new AfterLock(pool.lock);
    synchronized (pool.lock) {
      // An open pool keeps no workers, but a reload's probe may be what closes it.
      if (r.retiring
          || pool.phase == PoolState.STOPPING
          || (pool.phase == PoolState.OPEN && r.role != Role.PROBE)) {
        pool.retire(r, after);
      } else {
        r.readyAt = Instant.now();
        r.healthCheck =
            HealthCheck.start(
                pool, r, limits.pingInterval(), limits.pingTimeout(), PoolCore.TIMERS);
        if (pool.phase == PoolState.HALF_OPEN && r.role != Role.PROBE) pool.circuit.trying(r);
        if (r.role == Role.PROBE) after.add(() -> pool.reloading.probeReady(r));
        pool.slots.reconcile(after);
        pool.dispatch.pump(after);
        pool.reloading.roll(after);
      }
    }
    after.run();
  }

  /**
   * A worker did not become ready. If its process is running (it timed out, or answered initialize
   * with an error), kill it: its exit is then the death. If it never had a process, there will be
   * no exit, so this is the death.
   */
  void startFailed(Replica r, Throwable cause) {
    AfterLock after = new AfterLock(pool.lock);
    synchronized (pool.lock) {
      if (r.worker.pid() < 0) {
        if (!pool.replicas.remove(r)) {
          // already gone
        } else if (r.role == Role.PROBE) {
          pool.reloading.probeFailed(
              r, "could not be started: " + cause.getMessage(), null, List.of(), after);
        } else if (r.retiring || pool.phase == PoolState.STOPPING) {
          // As when a process exits (exited): a spawn that fails while the pool stops, or for a
          // worker it no longer wanted, is no death, and must not start a replacement or reopen it.
          pool.slots.reconcile(after);
          pool.dispatch.pump(after);
        } else {
          died(r, r.describe() + " could not be started: " + cause.getMessage(), List.of(), after);
        }
      } else if (r.worker.state() != Worker.State.DEAD && !r.retiring) {
        String why =
            cause instanceof TimeoutException
                ? "it did not answer initialize within "
                    + pool.limits.startTimeout().toMillis()
                    + " ms (start_timeout_ms)"
                : "its initialize failed: " + cause.getMessage();
        r.worker.kill(why);
      }
    }
    after.run();
  }

  /** A worker's process ended. If the pool retired it, that was the plan; otherwise it died. */
  @Override
  public void exited(WorkerLink worker, ExitStatus status) {
    AfterLock after = new AfterLock(pool.lock);
    synchronized (pool.lock) {
      Replica r = pool.replicas.stream().filter(x -> x.worker == worker).findFirst().orElse(null);
      if (r == null) return;
      pool.replicas.remove(r);
      if (r.healthCheck != null) r.healthCheck.cancel(false);
      if (r.role == Role.PROBE) {
        pool.reloading.probeFailed(
            r, worker.exitReason(status), status, worker.stderrTail(), after);
      } else if (r.retiring || pool.phase == PoolState.STOPPING) {
        pool.slots.reconcile(after);
        pool.dispatch.pump(after);
      } else {
        died(r, r.describe() + " " + worker.exitReason(status), worker.stderrTail(), after);
      }
    }
    after.run();
  }

  /**
   * An unplanned end: count it; open the pool if deaths come too often, else replace the worker.
   */
  private void died(Replica r, String description, List<String> stderrTail, AfterLock after) {
    Instant now = Instant.now();
    RestartPolicy policy = pool.policy;
    pool.lastDeath = new Death(description, now, stderrTail);
    pool.restarts++;
    if (r.role == Role.SERVING && r.slot >= 1 && r.slot <= pool.slotRestarts.length)
      pool.slotRestarts[r.slot - 1]++;
    if (pool.phase == PoolState.STARTING)
      return; // start() fails with the cause; nothing is restarted
    boolean tooOften = policy.recordDeath(now, r.upFor(now));
    if (pool.phase == PoolState.HALF_OPEN) {
      pool.circuit.open("its probe worker died: " + description, after);
    } else if (tooOften) {
      pool.circuit.open(
          "its workers died "
              + policy.recentDeaths()
              + " times in "
              + policy.window().toSeconds()
              + " s (more than max_restarts = "
              + policy.maxRestarts()
              + "); the last: "
              + description,
          after);
    } else {
      boolean spareReady = r.role == Role.SERVING && pool.slots.readySpare() != null;
      Duration backoff = policy.backoff();
      // With a spare taking the slot the pool is whole at once; the new spare's Python start
      // (a core's worth of CPU for ~150 ms) would only slow the calls being retried on it.
      if (spareReady && backoff.compareTo(SPARE_REFILL_DELAY) < 0) backoff = SPARE_REFILL_DELAY;
      pool.slots.nextStartAt = now.plus(backoff);
      Log.warn(
          "pool="
              + pool.name()
              + " "
              + description
              + "; "
              + (spareReady ? "a spare takes its place now, " : "")
              + (backoff.isZero()
                  ? "a new worker starts now"
                  : "a new worker starts in " + backoff.toMillis() + " ms"));
      pool.slots.reconcile(after);
      pool.dispatch.pump(after);
    }
  }

  /**
   * A call ended on a worker: free its place, close a half-open pool, recycle, hand on the queue.
   */
  void finished(PoolCall call, Replica r, JsonNode answer, Throwable failure) {
    Throwable cause = failure == null ? null : Failures.cause(failure);
    AfterLock after = new AfterLock(pool.lock);
    synchronized (pool.lock) {
      r.inFlight--;
      boolean answered = cause == null || cause instanceof WorkerError;
      if (answered) {
        r.callsServed++;
        pool.callsServed++;
      }
      if (answered && pool.phase == PoolState.HALF_OPEN) {
        pool.circuit.close("a call on its probe worker was answered", after);
      } else if (answered && r.recycleAfter > 0 && r.callsServed >= r.recycleAfter) {
        pool.recycling.recycle(
            r,
            "it served " + r.callsServed + " calls (max_calls = " + pool.limits.maxCalls() + ")",
            after);
      }
      if (r.role == Role.DRAINING && r.inFlight == 0) pool.retire(r, after);
      pool.dispatch.pump(after);
    }
    after.run();
    if (cause == null) call.result.complete(answer);
    else if (cause instanceof CancellationException) call.result.cancel(false);
    else call.result.completeExceptionally(cause);
  }

  @Override
  public void listChanged(WorkerLink worker, String notification) {
    // Every replica of the current code serves the same modules, so one worker's new lists are the
    // pool's; a worker on code a reload is replacing no longer speaks for the pool.
    synchronized (pool.lock) {
      if (pool.replicas.stream()
          .anyMatch(r -> r.worker == worker && r.generation != pool.generation)) return;
    }
    OfferListing.of(worker)
        .whenComplete(
            (o, failure) -> {
              if (failure != null) {
                Log.warn(
                    "pool="
                        + pool.name()
                        + " could not refresh its lists after "
                        + notification
                        + ": "
                        + Failures.cause(failure).getMessage());
                return;
              }
              pool.offer = o;
              pool.offerChanged();
            });
  }

  @Override
  public void resourceUpdated(WorkerLink worker, ObjectNode params) {
    pool.resourceUpdated(params);
  }
}
