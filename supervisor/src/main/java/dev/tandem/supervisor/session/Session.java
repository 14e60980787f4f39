package dev.tandem.supervisor.session;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.protocol.Decoded;
import dev.tandem.protocol.Json;
import dev.tandem.protocol.Message;
import dev.tandem.protocol.ProtocolVersions;
import dev.tandem.protocol.RpcError;
import dev.tandem.supervisor.log.Log;
import dev.tandem.supervisor.router.CallFailed;
import dev.tandem.supervisor.router.RoutedCall;
import dev.tandem.supervisor.router.Router;
import dev.tandem.supervisor.router.ToolCatalog;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One MCP session with one host connection, in the session era: the {@code initialize}
 * handshake, then requests answered through the router. Every request gets exactly one answer,
 * except one the host cancelled, which gets none (the cancellation utility's rule); the in-flight
 * map is what makes that hold when an answer and a cancellation race.
 */
public final class Session {

  public record Identity(String name, String version) {}

  private final String label;
  private final Router router;
  private final Outbound out;
  private final Identity identity;
  private final int pageSize;
  private final Map<JsonNode, RoutedCall> inFlight = new ConcurrentHashMap<>();
  private volatile String protocolVersion;
  private volatile boolean initialized;
  private volatile JsonNode clientInfo;

  public Session(String label, Router router, Outbound out, Identity identity, int pageSize) {
    this.label = label;
    this.router = router;
    this.out = out;
    this.identity = identity;
    this.pageSize = pageSize;
  }

  public void receive(Decoded frame) {
    switch (frame) {
      case Decoded.Blank b -> {}
      case Decoded.Invalid invalid -> {
        Log.debug("session=" + label + " answered a bad frame: " + invalid.reason());
        out.send(invalid.toFailure(), null);
      }
      case Message.Request request -> onRequest(request);
      case Message.Notification n -> onNotification(n);
      case Message.Response response ->
          Log.debug("session=" + label + " ignored a response to " + response.id() + ": tandem sent no such request");
    }
  }

  private void onRequest(Message.Request request) {
    String method = request.method();
    if (method.equals("ping")) {
      reply(request, Json.object());
      return;
    }
    if (method.equals("initialize")) {
      initialize(request);
      return;
    }
    if (protocolVersion == null) {
      fail(request, RpcError.invalidRequest(
          "Invalid Request: " + method + " before initialize; a session starts with initialize"));
      return;
    }
    switch (method) {
      case "tools/list" -> listTools(request);
      case "tools/call" -> callTool(request);
      case "tandem/status" -> reply(request, router.status());
      default -> fail(request, RpcError.methodNotFound(method));
    }
  }

  private void initialize(Message.Request request) {
    if (protocolVersion != null) {
      fail(request, RpcError.invalidRequest("Invalid Request: this session is already initialized"));
      return;
    }
    ObjectNode params = request.params() == null ? Json.object() : request.params();
    JsonNode requested = params.get("protocolVersion");
    if (requested == null || !requested.isTextual()) {
      fail(request, RpcError.invalidParams("initialize needs params.protocolVersion, a string such as \""
          + ProtocolVersions.LATEST + "\""));
      return;
    }
    protocolVersion = ProtocolVersions.negotiate(requested.asText());
    clientInfo = params.get("clientInfo");
    ObjectNode result = Json.object();
    result.put("protocolVersion", protocolVersion);
    ObjectNode capabilities = result.putObject("capabilities");
    capabilities.putObject("tools");
    result.putObject("serverInfo").put("name", identity.name()).put("version", identity.version());
    result.put("instructions", "Tools served by tandem from supervised Python workers.");
    Log.info("session=" + label + " initialized: protocol " + protocolVersion + ", client "
        + (clientInfo == null ? "unknown" : clientInfo.path("name").asText("?") + " " + clientInfo.path("version").asText("")));
    reply(request, result);
  }

  private void onNotification(Message.Notification n) {
    switch (n.method()) {
      case "notifications/initialized" -> initialized = true;
      case "notifications/cancelled" -> {
        JsonNode id = n.params() == null ? null : n.params().get("requestId");
        RoutedCall call = id == null ? null : inFlight.remove(id);
        if (call != null) {
          String reason = n.params().path("reason").asText(null);
          Log.debug("session=" + label + " cancelled request " + id + (reason == null ? "" : ": " + reason));
          call.cancel(reason);
        }
      }
      default -> Log.debug("session=" + label + " ignored notification " + n.method());
    }
  }

  private void listTools(Message.Request request) {
    JsonNode cursor = request.params() == null ? null : request.params().get("cursor");
    if (cursor != null && !cursor.isTextual() && !cursor.isNull()) {
      fail(request, RpcError.invalidParams("tools/list params.cursor must be a string from a previous nextCursor"));
      return;
    }
    router.catalog().whenComplete((catalog, failure) -> {
      if (failure != null) {
        fail(request, RpcError.internal("tandem is not serving: " + unwrap(failure).getMessage()));
        return;
      }
      ToolCatalog.Page page;
      try {
        page = catalog.page(cursor == null || cursor.isNull() ? null : cursor.asText(), pageSize);
      } catch (IllegalArgumentException e) {
        fail(request, RpcError.invalidParams(e.getMessage()));
        return;
      }
      ObjectNode result = Json.object();
      result.putArray("tools").addAll(page.tools());
      if (page.nextCursor() != null) result.put("nextCursor", page.nextCursor());
      reply(request, result);
    });
  }

  private void callTool(Message.Request request) {
    JsonNode id = request.id();
    RoutedCall call =
        router.callTool(
            request.params(),
            progress -> out.send(new Message.Notification("notifications/progress", progress), id));
    if (inFlight.putIfAbsent(id, call) != null) {
      call.cancel("duplicate request id");
      fail(request, RpcError.invalidRequest("Invalid Request: request id " + id + " is already in flight in this session"));
      return;
    }
    call.answer().whenComplete((result, failure) -> {
      // Whoever removes the entry answers: a result that loses the race to a cancellation is dropped.
      if (!inFlight.remove(id, call)) return;
      if (failure == null) {
        reply(request, result);
        return;
      }
      Throwable cause = unwrap(failure);
      if (cause instanceof CancellationException) return;
      fail(request, cause instanceof CallFailed f ? f.error() : RpcError.internal(String.valueOf(cause.getMessage())));
    });
  }

  private void reply(Message.Request request, JsonNode result) {
    out.send(new Message.Result(request.id(), result), request.id());
  }

  private void fail(Message.Request request, RpcError error) {
    out.send(new Message.Failure(request.id(), error), request.id());
  }

  public int inFlight() {
    return inFlight.size();
  }

  /** Completes when no call of this session is in flight. */
  public CompletableFuture<Void> drained() {
    return CompletableFuture.allOf(
        inFlight.values().stream().map(c -> c.answer().exceptionally(t -> null)).toArray(CompletableFuture[]::new));
  }

  /** The host is gone: its calls are cancelled on the workers, nothing more is sent. */
  public void close() {
    for (JsonNode id : inFlight.keySet()) {
      RoutedCall call = inFlight.remove(id);
      if (call != null) call.cancel("the host disconnected");
    }
  }

  public boolean initialized() {
    return initialized;
  }

  public String protocolVersion() {
    return protocolVersion;
  }

  private static Throwable unwrap(Throwable t) {
    while (t instanceof CompletionException && t.getCause() != null) t = t.getCause();
    return t;
  }
}
