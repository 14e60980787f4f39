package dev.tandem.supervisor.router;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tandem.supervisor.log.Log;
import dev.tandem.supervisor.pool.Pool;
import dev.tandem.supervisor.pool.PoolCall;
import dev.tandem.supervisor.worker.WorkerLink;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * A request that may be cancelled, or pass its deadline, before, while or after it reaches a
 * worker, and may be retried once. Its answer completes once; whoever completes it first (the
 * worker's answer, the deadline, the host's cancellation) wins and the others do nothing.
 */
final class ForwardedCall implements RoutedCall {
  final CompletableFuture<JsonNode> answer = new CompletableFuture<>();

  /** Set before {@link #answer} completes with a worker-died error, so readers of it see it. */
  private volatile boolean workerDied;

  private PoolCall onPool;
  private boolean cancelled;
  private String reason;

  @Override
  public CompletableFuture<JsonNode> answer() {
    return answer;
  }

  /** The deadline passed: the caller hears so, and the worker is told to stop. */
  void expire(String method, Pool pool, Duration timeout, Errors errors) {
    PoolCall target;
    synchronized (this) {
      target = onPool;
    }
    WorkerLink worker = target == null ? null : target.worker();
    String where =
        worker == null
            ? "it was still queued, waiting for a free worker"
            : "it was cancelled on " + describe(worker);
    String what =
        "did not answer within "
            + timeout.toMillis()
            + " ms (call_timeout_ms of pool \""
            + pool.name()
            + "\"); "
            + where;
    boolean first;
    try {
      first = answer.complete(errors.expired(what));
    } catch (CallFailed e) {
      first = answer.completeExceptionally(e);
    }
    if (first && target != null) {
      Log.warn(method + " passed its deadline of " + timeout.toMillis() + " ms; " + where);
      target.cancel("tandem: the call passed its deadline of " + timeout.toMillis() + " ms");
    }
  }

  @Override
  public boolean workerDied() {
    return workerDied;
  }

  /** Answers with {@code error}, the result a worker's death left; see {@link #workerDied()}. */
  void diedWith(JsonNode error) {
    workerDied = true;
    answer.complete(error);
  }

  static String describe(WorkerLink worker) {
    return worker == null
        ? "a worker"
        : "worker " + worker.spec().index() + " (pid " + worker.pid() + ")";
  }

  synchronized boolean attach(PoolCall call) {
    if (cancelled || answer.isDone()) {
      call.cancel(cancelled ? reason : "tandem: the call was already answered");
      return false;
    }
    onPool = call;
    return true;
  }

  @Override
  public void cancel(String why) {
    PoolCall target;
    synchronized (this) {
      cancelled = true;
      reason = why;
      target = onPool;
    }
    answer.cancel(false);
    if (target != null) target.cancel(why);
  }
}
