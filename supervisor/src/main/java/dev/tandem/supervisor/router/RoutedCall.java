package dev.tandem.supervisor.router;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.concurrent.CompletableFuture;

/**
 * A host's call as the router carries it: the answer to send (a result or a JSON-RPC error as
 * {@link CallFailed}) and a way to cancel it on the worker.
 */
public interface RoutedCall {

  CompletableFuture<JsonNode> answer();

  void cancel(String reason);
}
