package dev.tandem.supervisor.pool;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.protocol.Json;
import dev.tandem.supervisor.worker.WorkerLink;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Asks one worker for everything it serves. Only the lists its {@code initialize} capabilities
 * announce are asked for, so a foreign MCP server without prompts or resources is not sent methods
 * it would refuse.
 */
final class OfferListing {

  /** A server that pages forever would otherwise hold start-up hostage. */
  private static final int MAX_ITEMS = 100_000;

  private OfferListing() {}

  static CompletableFuture<Offer> of(WorkerLink worker) {
    JsonNode caps =
        worker.initializeResult() == null
            ? Json.object()
            : worker.initializeResult().path("capabilities");
    var tools = caps.has("tools") ? list(worker, "tools/list", "tools") : none();
    var prompts = caps.has("prompts") ? list(worker, "prompts/list", "prompts") : none();
    var resources = caps.has("resources") ? list(worker, "resources/list", "resources") : none();
    var templates =
        caps.has("resources")
            ? list(worker, "resources/templates/list", "resourceTemplates")
            : none();
    return CompletableFuture.allOf(tools, prompts, resources, templates)
        .thenApply(
            ignored -> new Offer(tools.join(), prompts.join(), resources.join(), templates.join()));
  }

  private static CompletableFuture<List<JsonNode>> none() {
    return CompletableFuture.completedFuture(List.of());
  }

  private static CompletableFuture<List<JsonNode>> list(
      WorkerLink worker, String method, String key) {
    return page(worker, method, key, null, new ArrayList<>());
  }

  private static CompletableFuture<List<JsonNode>> page(
      WorkerLink worker, String method, String key, String cursor, List<JsonNode> acc) {
    ObjectNode params = Json.object();
    if (cursor != null) params.put("cursor", cursor);
    return worker
        .call(method, params, null)
        .result()
        .thenCompose(
            result -> {
              result.path(key).forEach(acc::add);
              JsonNode next = result.get("nextCursor");
              if (next != null
                  && next.isTextual()
                  && !next.asText().isEmpty()
                  && acc.size() < MAX_ITEMS) {
                return page(worker, method, key, next.asText(), acc);
              }
              return CompletableFuture.completedFuture(List.copyOf(acc));
            });
  }
}
