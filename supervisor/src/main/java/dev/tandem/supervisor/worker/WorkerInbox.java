package dev.tandem.supervisor.worker;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.protocol.Failures;
import dev.tandem.protocol.Json;
import dev.tandem.protocol.Message;
import dev.tandem.protocol.RpcError;
import dev.tandem.supervisor.log.Log;
import dev.tandem.supervisor.log.Secrets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What a worker says unasked: its notifications (progress, log lines, list changes) and its
 * requests of a host (sampling, elicitation, roots), each sent to the call it concerns, or to the
 * pool when it concerns no call. Answers to the link's own requests are {@link Worker}'s.
 */
final class WorkerInbox {

  private final Worker worker;
  private final Map<Long, WorkerCall> pending;
  private final WorkerLink.Events events;

  /** Requests the worker made of a host, by the worker's id, so it can cancel them. */
  private final Map<JsonNode, CompletableFuture<JsonNode>> hostRequests = new ConcurrentHashMap<>();

  WorkerInbox(Worker worker, Map<Long, WorkerCall> pending, WorkerLink.Events events) {
    this.worker = worker;
    this.pending = pending;
    this.events = events;
  }

  void notification(Message.Notification n) {
    ObjectNode params = n.params() == null ? Json.object() : n.params();
    switch (n.method()) {
      case "notifications/progress" -> {
        JsonNode token = params.get("progressToken");
        WorkerCall call =
            token != null && token.canConvertToLong() ? pending.get(token.longValue()) : null;
        if (call != null) call.listener().progress(params);
      }
      case "notifications/message" -> {
        String level = params.path("level").asText("info");
        JsonNode data = params.get("data");
        String text = data == null ? "" : data.isTextual() ? data.asText() : data.toString();
        log(levelOf(level), "log: " + text);
        WorkerCall call = owner(params);
        if (call != null) {
          ObjectNode forwarded = withoutTandemMeta(params);
          // The host's log gets the line as the daemon's log has it: known secrets redacted.
          if (data != null && data.isTextual()) {
            String redacted = Secrets.redact(text);
            if (redacted != text) forwarded = forwarded.deepCopy().put("data", redacted);
          }
          call.listener().log(forwarded);
        }
      }
      case "notifications/cancelled" -> {
        // The worker gave up on a request it made of a host (its tool call was cancelled).
        CompletableFuture<JsonNode> asked = hostRequests.remove(params.path("requestId"));
        if (asked != null) asked.cancel(false);
      }
      case "notifications/tools/list_changed",
          "notifications/prompts/list_changed",
          "notifications/resources/list_changed" ->
          events.listChanged(worker, n.method());
      case "notifications/resources/updated" -> events.resourceUpdated(worker, params);
      default -> log(Log.Level.DEBUG, "notification " + n.method());
    }
  }

  /**
   * A server-to-client request (sampling, elicitation, roots) goes to the host whose call caused
   * it: the tandem runtime names that call in {@code _meta["tandem/callId"]}; for a server that
   * does not, the only call in flight is the cause, and with several there is no telling.
   */
  void request(Message.Request r) {
    ObjectNode params = r.params() == null ? Json.object() : r.params();
    WorkerCall call = owner(params);
    if (call == null) {
      worker.reply(
          r.id(),
          null,
          new RpcError(
              RpcError.INTERNAL_ERROR,
              r.method()
                  + " cannot be routed: it names no call in _meta[\"tandem/callId\"] and "
                  + pending.size()
                  + " calls are in flight on this worker",
              null));
      return;
    }
    CompletableFuture<JsonNode> asked =
        call.listener().hostRequest(r.method(), withoutTandemMeta(params));
    hostRequests.put(r.id(), asked);
    asked.whenComplete(
        (result, failure) -> {
          hostRequests.remove(r.id());
          Throwable cause = failure == null ? null : Failures.cause(failure);
          // Cancelled: the worker withdrew the request, or its call was cancelled; no answer is
          // owed.
          if (cause instanceof CancellationException) return;
          if (cause == null) {
            worker.reply(r.id(), result, null);
          } else {
            worker.reply(
                r.id(),
                null,
                cause instanceof WorkerError e
                    ? e.error()
                    : RpcError.internal(r.method() + " failed: " + cause.getMessage()));
          }
        });
  }

  /** The worker died: what it asked of hosts is withdrawn. */
  void died() {
    for (CompletableFuture<JsonNode> asked : List.copyOf(hostRequests.values()))
      asked.cancel(false);
    hostRequests.clear();
  }

  private WorkerCall owner(ObjectNode params) {
    JsonNode callId = params.path("_meta").get("tandem/callId");
    if (callId != null && callId.canConvertToLong()) return pending.get(callId.longValue());
    if (callId != null && callId.isTextual()) {
      try {
        return pending.get(Long.parseLong(callId.asText()));
      } catch (NumberFormatException e) {
        return null;
      }
    }
    if (pending.size() == 1) {
      for (WorkerCall only : pending.values()) return only;
    }
    return null;
  }

  /**
   * The routing key is ours, not the host's business. A shallow copy: the rest of the message (a
   * log line's data, a sampling request's messages) is shared, as nothing downstream mutates it.
   */
  private static ObjectNode withoutTandemMeta(ObjectNode params) {
    if (!(params.get("_meta") instanceof ObjectNode meta) || !meta.has("tandem/callId"))
      return params;
    ObjectNode copy = Json.object();
    copy.setAll(params);
    ObjectNode copyMeta = Json.object();
    copyMeta.setAll(meta);
    copyMeta.remove("tandem/callId");
    if (copyMeta.isEmpty()) copy.remove("_meta");
    else copy.set("_meta", copyMeta);
    return copy;
  }

  private void log(Log.Level level, String text) {
    WorkerSpec spec = worker.spec();
    Log.worker(level, spec.pool(), spec.index(), worker.pid(), text);
  }

  private static Log.Level levelOf(String mcpLevel) {
    return switch (mcpLevel) {
      case "debug" -> Log.Level.DEBUG;
      case "info", "notice" -> Log.Level.INFO;
      case "warning" -> Log.Level.WARN;
      default -> Log.Level.ERROR;
    };
  }
}
