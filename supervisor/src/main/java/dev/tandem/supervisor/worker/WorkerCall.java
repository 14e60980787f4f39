package dev.tandem.supervisor.worker;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.concurrent.CompletableFuture;

/**
 * One request in flight on one worker, under the worker-side id the link gave it. Its result
 * completes exactly once: with the worker's answer, with {@link WorkerError}, with {@link
 * WorkerDied}, or by {@link #cancel}, after which a late answer from the worker is dropped.
 */
public final class WorkerCall {

  /** Told when the caller cancels, so the worker is told to stop and the request forgotten. */
  public interface Cancellation {
    void cancelled(WorkerCall call, String reason);
  }

  private final Cancellation onCancel;
  private final long id;
  private final String method;
  private final CallListener listener;
  private final CompletableFuture<JsonNode> result = new CompletableFuture<>();

  /** Where its request's frame ends in the worker's stdin: an answer proves it was read so far. */
  volatile long sentThrough;

  public WorkerCall(Cancellation onCancel, long id, String method, CallListener listener) {
    this.onCancel = onCancel;
    this.id = id;
    this.method = method;
    this.listener = listener == null ? CallListener.NONE : listener;
  }

  public long id() {
    return id;
  }

  public String method() {
    return method;
  }

  public CompletableFuture<JsonNode> result() {
    return result;
  }

  /** What the worker says about this call goes to its listener only while the call runs. */
  CallListener listener() {
    return result.isDone() ? CallListener.NONE : listener;
  }

  /** Tells the worker to stop (MCP {@code notifications/cancelled}) and forgets the request. */
  public void cancel(String reason) {
    if (result.cancel(false) && onCancel != null) onCancel.cancelled(this, reason);
  }
}
