package dev.tandem.supervisor.session;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.protocol.Json;
import dev.tandem.protocol.Message;
import dev.tandem.protocol.ModernEra;
import dev.tandem.supervisor.router.CatalogObserver;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * One {@code subscriptions/listen} stream of the 2026-07-28 revision: the change notifications a
 * client opted in to, and only those, each tagged with the listen request's id (the subscriptions
 * page: "The server MUST NOT send notification types the client has not explicitly requested"). It
 * lives until the client cancels it or the server closes it.
 */
final class Subscription implements CatalogObserver {

  private final JsonNode id;
  private final Outbound out;
  private final ObjectNode honored;
  private final Set<String> uris;
  private final CompletableFuture<Void> ended;

  /** Nothing goes out on the stream before its acknowledgement (subscriptions page). */
  private volatile boolean acknowledged;

  Subscription(
      JsonNode id,
      Outbound out,
      ObjectNode honored,
      Set<String> uris,
      CompletableFuture<Void> ended) {
    this.id = id;
    this.out = out;
    this.honored = honored;
    this.uris = uris;
    this.ended = ended;
  }

  /** The acknowledgement: first on the stream, with the subset of the filter that is honored. */
  void acknowledge() {
    ObjectNode params = tagged();
    params.set("notifications", honored);
    out.send(new Message.Notification("notifications/subscriptions/acknowledged", params), id);
    acknowledged = true;
  }

  @Override
  public void listChanged(String notification) {
    String flag =
        switch (notification) {
          case "notifications/tools/list_changed" -> "toolsListChanged";
          case "notifications/prompts/list_changed" -> "promptsListChanged";
          case "notifications/resources/list_changed" -> "resourcesListChanged";
          default -> null;
        };
    if (flag != null && acknowledged && honored.path(flag).asBoolean(false) && !ended.isDone()) {
      out.send(new Message.Notification(notification, tagged()), id);
    }
  }

  @Override
  public void resourceUpdated(ObjectNode params) {
    if (!acknowledged || ended.isDone() || !uris.contains(params.path("uri").asText())) return;
    ObjectNode copy = params.deepCopy();
    copy.set("_meta", tagged().get("_meta"));
    out.send(new Message.Notification("notifications/resources/updated", copy), id);
  }

  /** The server ends it (shutdown): a final result marks the end as graceful. */
  void close(ObjectNode serverInfo) {
    if (!ended.complete(null)) return;
    ObjectNode result = Json.object();
    result.put("resultType", "complete");
    ObjectNode meta = result.putObject("_meta");
    meta.set(ModernEra.SUBSCRIPTION_ID, id);
    meta.set(ModernEra.SERVER_INFO, serverInfo);
    out.send(new Message.Result(id, result), id);
  }

  private ObjectNode tagged() {
    ObjectNode params = Json.object();
    params.putObject("_meta").set(ModernEra.SUBSCRIPTION_ID, id);
    return params;
  }
}
