package dev.tandem.supervisor.pool;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.supervisor.worker.CallListener;
import dev.tandem.supervisor.worker.WorkerCall;

/**
 * How a pool's calls reach its workers: admitted to a worker with room, queued, or refused at once
 * with the reason (open, starting, stopping, overloaded); handed on from the queue as workers free
 * up; cancelled in the queue or on the worker. The call path: {@link #submit} takes the pool's lock
 * once for bookkeeping, and the write to the worker's pipe happens after it is released. A call's
 * end is the pool's event ({@link WorkerEvents#finished}).
 */
final class Dispatch {

  private final PoolCore pool;

  Dispatch(PoolCore pool) {
    this.pool = pool;
  }

  PoolCall submit(String method, ObjectNode params, CallListener callListener) {
    PoolCall call = new PoolCall(pool, method, params, callListener);
    PoolUnavailable refusal;
    AfterLock after = new AfterLock(pool.lock);
    synchronized (pool.lock) {
      refusal = refusal();
      if (refusal == null) {
        Replica r = pool.admission.pick(pool.replicas, pool.phase == PoolState.HALF_OPEN);
        if (r != null) {
          after.add(assign(call, r));
        } else if (!pool.admission.enqueue(call)) {
          refusal = pool.admission.overloaded(pool.readyServing());
        }
      }
    }
    after.run();
    if (refusal != null) call.result.completeExceptionally(refusal);
    return call;
  }

  private PoolUnavailable refusal() {
    return switch (pool.phase) {
      case OPEN -> pool.circuit.openError();
      case STOPPING -> stopping();
      case STARTING ->
          new PoolUnavailable("pool \"" + pool.name() + "\" is still starting; try again shortly");
      default -> pool.accepting ? null : stopping();
    };
  }

  private PoolUnavailable stopping() {
    return new PoolUnavailable(
        "pool \"" + pool.name() + "\" is shutting down and takes no new calls");
  }

  /** Hands queued calls to workers with room, oldest first. Under the lock. */
  void pump(AfterLock after) {
    while (pool.admission.hasQueued()) {
      Replica r = pool.admission.pick(pool.replicas, pool.phase == PoolState.HALF_OPEN);
      if (r == null) return;
      after.add(assign(pool.admission.next(), r));
    }
  }

  private Runnable assign(PoolCall call, Replica r) {
    r.inFlight++;
    call.replica = r;
    return () -> send(call, r);
  }

  /**
   * Outside the lock, as every touch of a worker is: the link writes inline only what a pipe is
   * sure to take and hands the rest to its stdin thread, but a dead worker fails the call at once,
   * and that continuation comes straight back into the pool.
   */
  private void send(PoolCall call, Replica r) {
    WorkerCall onWorker = r.worker.call(call.method, call.params, call.listener);
    String cancelled;
    // The call's own lock, not the pool's: one pool lock fewer per call (cancel takes both).
    synchronized (call) {
      call.onWorker = onWorker;
      cancelled = call.cancelReason;
    }
    if (cancelled != null) onWorker.cancel(cancelled);
    onWorker
        .result()
        .whenComplete((answer, failure) -> pool.events.finished(call, r, answer, failure));
  }

  void cancel(PoolCall call, String reason) {
    WorkerCall onWorker;
    boolean wasQueued;
    synchronized (pool.lock) {
      synchronized (call) {
        if (call.result.isDone() || call.cancelReason != null) return;
        call.cancelReason = reason == null ? "cancelled" : reason;
        onWorker = call.onWorker;
      }
      wasQueued = pool.admission.remove(call);
    }
    if (wasQueued) call.result.cancel(false);
    else if (onWorker != null) onWorker.cancel(reason);
  }

  /** Every queued call fails with {@code error} (the pool opened, or stops). Under the lock. */
  void failQueue(PoolUnavailable error, AfterLock after) {
    for (PoolCall call : pool.admission.drain())
      after.add(() -> call.result.completeExceptionally(error));
  }
}
