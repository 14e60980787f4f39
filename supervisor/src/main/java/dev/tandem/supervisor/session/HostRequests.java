package dev.tandem.supervisor.session;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.protocol.Json;
import dev.tandem.protocol.Message;
import dev.tandem.protocol.RpcError;
import dev.tandem.supervisor.router.CallFailed;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Requests this session sends to its host on a worker's behalf (sampling, elicitation, roots),
 * under ids of the session's own ("t-1", "t-2", ...) so they cannot collide with the host's ids in
 * the other direction. Cancelling one tells the host, as the cancellation utility says.
 */
final class HostRequests {

  private final Outbound out;
  private final AtomicLong ids = new AtomicLong();
  private final Map<String, CompletableFuture<JsonNode>> pending = new ConcurrentHashMap<>();

  HostRequests(Outbound out) {
    this.out = out;
  }

  CompletableFuture<JsonNode> send(String method, ObjectNode params, JsonNode relatedTo) {
    String id = "t-" + ids.incrementAndGet();
    CompletableFuture<JsonNode> answer = new CompletableFuture<>();
    pending.put(id, answer);
    answer.whenComplete(
        (r, failure) -> {
          if (pending.remove(id) != null && failure instanceof CancellationException) {
            ObjectNode cancel =
                Json.object()
                    .put("requestId", id)
                    .put("reason", "the tool call that asked was cancelled");
            out.send(new Message.Notification("notifications/cancelled", cancel), relatedTo);
          }
        });
    out.send(new Message.Request(Json.NODES.textNode(id), method, params), relatedTo);
    return answer;
  }

  /** The host answered one of ours; an answer to something we never asked is ignored. */
  boolean answered(Message.Response response) {
    CompletableFuture<JsonNode> answer = pending.remove(response.id().asText());
    if (answer == null) return false;
    switch (response) {
      case Message.Result r -> answer.complete(r.result());
      case Message.Failure f -> answer.completeExceptionally(new CallFailed(f.error()));
    }
    return true;
  }

  /** The host is gone: nothing it was asked will be answered. */
  void abandon() {
    for (String id : pending.keySet()) {
      CompletableFuture<JsonNode> answer = pending.remove(id);
      if (answer != null)
        answer.completeExceptionally(
            new CallFailed(RpcError.internal("the host disconnected before answering")));
    }
  }
}
