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
