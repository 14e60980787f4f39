package dev.tandem.supervisor.router;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tandem.protocol.RpcError;
import java.util.concurrent.CompletableFuture;

/**
 * A host's request as the router carries it: the answer to send (a result, or a JSON-RPC error as
 * {@link CallFailed}) and a way to cancel it on the worker.
 */
public interface RoutedCall {

  CompletableFuture<JsonNode> answer();

  void cancel(String reason);

  /**
   * Whether the answer is the error a worker's death left (its tool-error result, a retry having
   * been refused or spent). For the task machinery, which ends such a task failed rather than
   * completed; a host reads the error text and never sees this.
   */
  default boolean workerDied() {
    return false;
  }

  /** A request refused before it reached any worker. */
  static RoutedCall failed(RpcError error) {
    CompletableFuture<JsonNode> answer = CompletableFuture.failedFuture(new CallFailed(error));
    return new RoutedCall() {
      @Override
      public CompletableFuture<JsonNode> answer() {
        return answer;
      }

      @Override
      public void cancel(String reason) {}
    };
  }
}
