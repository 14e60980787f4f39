package dev.tandem.supervisor.pool;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.supervisor.worker.CallListener;
import dev.tandem.supervisor.worker.WorkerCall;
import dev.tandem.supervisor.worker.WorkerLink;
import java.util.concurrent.CompletableFuture;

/**
 * One request as the pool carries it: queued, then running on one worker, then done. Its result
 * completes exactly once: with the worker's answer, or {@link
 * dev.tandem.supervisor.worker.WorkerError}, {@link dev.tandem.supervisor.worker.WorkerDied},
 * {@link PoolUnavailable} (open, overloaded, stopping), or cancellation. {@code onWorker} and
 * {@code cancelReason} are guarded by the call's own monitor (taken inside the pool's lock, never
 * the other way round).
 */
public final class PoolCall {

  final PoolCore pool;
  final String method;
  final ObjectNode params;
  final CallListener listener;
  final CompletableFuture<JsonNode> result = new CompletableFuture<>();
  volatile Replica replica;
  WorkerCall onWorker;
  String cancelReason;

  PoolCall(PoolCore pool, String method, ObjectNode params, CallListener listener) {
    this.pool = pool;
    this.method = method;
    this.params = params;
    this.listener = listener;
  }

  public CompletableFuture<JsonNode> result() {
    return result;
  }

  /** The worker it ran on, or null while it was still queued. */
  public WorkerLink worker() {
    Replica r = replica;
    return r == null ? null : r.worker;
  }

  /** Takes it out of the queue, or tells its worker to stop it (notifications/cancelled). */
  public void cancel(String reason) {
    pool.dispatch.cancel(this, reason);
  }
}
