package dev.tandem.supervisor.worker;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.concurrent.CompletableFuture;

/**
 * Hears what a worker sends about one request while it runs: progress, log lines, and requests to
 * the host (sampling, elicitation, roots) that the request's code made. The router implements it
 * for the host session whose call this is, which is how each of these reaches that session and no
 * other.
 */
public interface CallListener {

  /** {@code notifications/progress} params, still carrying the worker-side token. */
  default void progress(ObjectNode params) {}

  /** {@code notifications/message} params. */
  default void log(ObjectNode params) {}

  /**
   * A server-to-client request the worker made on behalf of this call; completes with the host's
   * result, or exceptionally with {@link WorkerError} carrying the host's error. Cancelling the
   * returned future cancels the request at the host.
   */
  default CompletableFuture<JsonNode> hostRequest(String method, ObjectNode params) {
    return CompletableFuture.failedFuture(
        new WorkerError(dev.tandem.protocol.RpcError.methodNotFound(method)));
  }

  CallListener NONE = new CallListener() {};
}
