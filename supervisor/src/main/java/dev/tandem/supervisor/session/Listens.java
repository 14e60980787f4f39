package dev.tandem.supervisor.session;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.protocol.Json;
import dev.tandem.protocol.RpcError;
import dev.tandem.supervisor.router.RoutedCall;
import dev.tandem.supervisor.router.Router;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The open {@code subscriptions/listen} streams of the 2026-07-28 revision: how one opens, and
 * their graceful end at shutdown.
 */
final class Listens {

  private final Router router;
  private final Set<Subscription> subscriptions = ConcurrentHashMap.newKeySet();

  Listens(Router router) {
    this.router = router;
  }

  /**
   * Opens a {@code subscriptions/listen} stream: acknowledged at once with what is honored (every
   * list-changed type, and the resource URIs some pool serves), then open until the client cancels
   * it or the server shuts down.
   */
  RoutedCall listen(ModernRequest r) {
    JsonNode filter = r.request.params().get("notifications");
    if (filter != null && !filter.isObject()) {
      r.fail(RpcError.invalidParams("subscriptions/listen params.notifications must be an object"));
      return null;
    }
    CompletableFuture<Void> ended = new CompletableFuture<>();
    // Which URIs are honored depends on what the pools serve, known once they have started.
    router
        .catalog()
        .whenComplete(
            (catalog, failure) -> {
              if (failure != null) {
                r.settle(null, failure, false);
                ended.complete(null);
                return;
              }
              ObjectNode honored = Json.object();
              for (String flag :
                  new String[] {"toolsListChanged", "promptsListChanged", "resourcesListChanged"}) {
                if (filter != null && filter.path(flag).asBoolean(false)) honored.put(flag, true);
              }
              Set<String> uris = new LinkedHashSet<>();
              if (filter != null) {
                for (JsonNode uri : filter.path("resourceSubscriptions")) {
                  if (uri.isTextual() && catalog.poolForUri(uri.asText()) != null)
                    uris.add(uri.asText());
                }
                if (filter.has("resourceSubscriptions"))
                  uris.forEach(honored.putArray("resourceSubscriptions")::add);
              }
              Subscription sub = new Subscription(r.request.id(), r.out, honored, uris, ended);
              subscriptions.add(sub);
              router.observe(sub);
              // The worker tracks what is watched and reports updates; the subscription filters
              // them.
              // Acknowledge only once every worker subscription is in place: a client that changes
              // a
              // resource right after the acknowledgement must hear about it.
              CompletableFuture.allOf(
                      uris.stream()
                          .map(
                              uri ->
                                  router
                                      .forResource(
                                          "resources/subscribe",
                                          Json.object().put("uri", uri),
                                          null)
                                      .answer()
                                      .exceptionally(e -> null))
                          .toArray(CompletableFuture[]::new))
                  .whenComplete((x, y) -> sub.acknowledge());
              ended.whenComplete(
                  (x, y) -> {
                    router.forget(sub);
                    subscriptions.remove(sub);
                  });
            });
    return new RoutedCall() {
      @Override
      public CompletableFuture<JsonNode> answer() {
        return ended.thenApply(v -> null);
      }

      @Override
      public void cancel(String reason) {
        ended.cancel(false);
      }
    };
  }

  /** Shutdown: every open subscription gets its graceful final result. */
  void close(ObjectNode serverInfo) {
    for (Subscription sub : List.copyOf(subscriptions)) sub.close(serverInfo);
  }
}
