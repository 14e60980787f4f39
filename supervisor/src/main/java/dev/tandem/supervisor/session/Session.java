package dev.tandem.supervisor.session;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.protocol.Decoded;
import dev.tandem.protocol.Failures;
import dev.tandem.protocol.Json;
import dev.tandem.protocol.Message;
import dev.tandem.protocol.ProtocolVersions;
import dev.tandem.protocol.RpcError;
import dev.tandem.supervisor.log.Log;
import dev.tandem.supervisor.router.CallFailed;
import dev.tandem.supervisor.router.Catalog;
import dev.tandem.supervisor.router.CatalogObserver;
import dev.tandem.supervisor.router.HostLink;
import dev.tandem.supervisor.router.Listing;
import dev.tandem.supervisor.router.RoutedCall;
import dev.tandem.supervisor.router.Router;
import dev.tandem.supervisor.tasks.LegacyTasks;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * One MCP session with one host connection, in the session era: the {@code initialize} handshake,
 * then requests answered through the router. Every request gets exactly one answer, except one the
 * host cancelled, which gets none (the cancellation utility's rule); the in-flight map is what
 * makes that hold when an answer and a cancellation race: whoever removes the entry answers.
 */
public final class Session implements CatalogObserver {

  public record Identity(String name, String version) {}

  private final String label;
  private final Router router;
  private final Outbound out;
  private final Identity identity;
  private final int pageSize;
  private final Map<JsonNode, RoutedCall> inFlight = new ConcurrentHashMap<>();

  /** Completes once each call's answer has been written (or dropped): what a drain waits for. */
  private final Map<JsonNode, CompletableFuture<Void>> settling = new ConcurrentHashMap<>();

  private final Set<String> subscriptions = ConcurrentHashMap.newKeySet();
  private final HostRequests hostRequests;
  private volatile String protocolVersion;
  private volatile JsonNode clientInfo;
  private volatile JsonNode clientCapabilities = Json.object();
  private volatile String logLevel = "info";
  private volatile SessionTasks tasks;

  public Session(String label, Router router, Outbound out, Identity identity, int pageSize) {
    this.label = label;
    this.router = router;
    this.out = out;
    this.identity = identity;
    this.pageSize = pageSize;
    this.hostRequests = new HostRequests(out);
    router.observe(this);
  }

  /** Serves the 2025-11-25 tasks utility from now on (wired once, when the session is made). */
  public Session serveTasks(LegacyTasks tasks) {
    this.tasks = new SessionTasks(tasks, out);
    return this;
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
      case Message.Response response -> {
        if (!hostRequests.answered(response)) {
          Log.debug(
              "session="
                  + label
                  + " ignored a response to "
                  + response.id()
                  + ": no such request is waiting");
        }
      }
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
      fail(
          request,
          RpcError.invalidRequest(
              "Invalid Request: "
                  + method
                  + " before initialize; a session starts with initialize"));
      return;
    }
    ObjectNode params = request.params();
    switch (method) {
      case "tools/list" -> list(request, c -> c.tools, "tools");
      case "prompts/list" -> list(request, c -> c.prompts, "prompts");
      case "resources/list" -> list(request, c -> c.resources, "resources");
      case "resources/templates/list" -> list(request, c -> c.templates, "resourceTemplates");
      case "tools/call" -> {
        ObjectNode forTool = withHostCapabilities(params);
        Runnable plain =
            () -> forward(request, () -> router.callTool(forTool, linkFor(request.id())));
        if (tasks == null) plain.run();
        else tasks.callTool(request, forTool, linkFor(request.id()), plain);
      }
      case "tasks/get", "tasks/list", "tasks/cancel" -> {
        if (tasks == null) fail(request, RpcError.methodNotFound(method));
        else tasks.answer(request);
      }
      case "tasks/result" -> {
        if (tasks == null) fail(request, RpcError.methodNotFound(method));
        else answerWhenDone(request, tasks.result(params));
      }
      case "prompts/get" ->
          forward(
              request, () -> router.getPrompt(withHostCapabilities(params), linkFor(request.id())));
      case "resources/read" ->
          forward(
              request,
              () ->
                  router.forResource(method, withHostCapabilities(params), linkFor(request.id())));
      case "resources/subscribe", "resources/unsubscribe" -> subscription(request);
      case "completion/complete" ->
          forward(request, () -> router.complete(params, linkFor(request.id())));
      case "logging/setLevel" -> setLevel(request);
      case "tandem/status" -> reply(request, router.status());
      case "tandem/reload" -> answerWhenDone(request, router.reload(params));
      default -> fail(request, RpcError.methodNotFound(method));
    }
  }

  /**
   * Tells the worker what this host can do, so Python code can check before asking for sampling or
   * elicitation (the worker itself was initialized by tandem, which can route everything).
   */
  private ObjectNode withHostCapabilities(ObjectNode params) {
    return params == null
        ? null
        : Json.withMeta(params, "tandem/clientCapabilities", clientCapabilities);
  }

  private void initialize(Message.Request request) {
    if (protocolVersion != null) {
      fail(
          request, RpcError.invalidRequest("Invalid Request: this session is already initialized"));
      return;
    }
    ObjectNode params = request.params() == null ? Json.object() : request.params();
    JsonNode requested = params.get("protocolVersion");
    if (requested == null || !requested.isTextual()) {
      fail(
          request,
          RpcError.invalidParams(
              "initialize needs params.protocolVersion, a string such as \""
                  + ProtocolVersions.LATEST
                  + "\""));
      return;
    }
    protocolVersion = ProtocolVersions.negotiate(requested.asText());
    clientInfo = params.get("clientInfo");
    if (params.get("capabilities") instanceof ObjectNode caps) clientCapabilities = caps;
    ObjectNode result = Json.object();
    result.put("protocolVersion", protocolVersion);
    ServerSurface.describe(result);
    if (tasks != null) LegacyTasks.advertise(result);
    result.putObject("serverInfo").put("name", identity.name()).put("version", identity.version());
    Log.info(
        "session="
            + label
            + " initialized: protocol "
            + protocolVersion
            + ", client "
            + (clientInfo == null
                ? "unknown"
                : clientInfo.path("name").asText("?")
                    + " "
                    + clientInfo.path("version").asText("")));
    reply(request, result);
  }

  private void onNotification(Message.Notification n) {
    switch (n.method()) {
      case "notifications/initialized" ->
          Log.debug("session=" + label + " the client confirmed initialization");
      case "notifications/cancelled" -> {
        JsonNode id = n.params() == null ? null : n.params().get("requestId");
        RoutedCall call = id == null ? null : inFlight.remove(id);
        if (call != null) {
          String reason = n.params().path("reason").asText(null);
          Log.debug(
              "session="
                  + label
                  + " cancelled request "
                  + id
                  + (reason == null ? "" : ": " + reason));
          call.cancel(reason);
        }
      }
      default -> Log.debug("session=" + label + " ignored notification " + n.method());
    }
  }

  private void list(Message.Request request, Function<Catalog, Listing> which, String key) {
    answerWhenDone(
        request,
        ServerSurface.page(router, request.method(), request.params(), which, key, pageSize));
  }

  /** Answers {@code request} with the result, or with the JSON-RPC error its failure maps to. */
  private void answerWhenDone(Message.Request request, CompletableFuture<? extends JsonNode> done) {
    done.whenComplete(
        (result, failure) -> {
          if (failure == null) {
            reply(request, result);
          } else {
            fail(request, CallFailed.errorOf(failure));
          }
        });
  }

  private void subscription(Message.Request request) {
    String uri = request.params() == null ? null : request.params().path("uri").asText(null);
    boolean subscribe = request.method().equals("resources/subscribe");
    forward(
        request,
        () -> {
          RoutedCall call =
              router.forResource(request.method(), request.params(), linkFor(request.id()));
          call.answer()
              .thenRun(
                  () -> {
                    if (subscribe) subscriptions.add(uri);
                    else subscriptions.remove(uri);
                  });
          return call;
        });
  }

  private void setLevel(Message.Request request) {
    String level = request.params() == null ? null : request.params().path("level").asText(null);
    if (level == null || !LogLevel.valid(level)) {
      fail(
          request,
          RpcError.invalidParams("logging/setLevel params.level must be one of " + LogLevel.ORDER));
      return;
    }
    logLevel = level;
    reply(request, Json.object());
  }

  private void refuseDuplicate(Message.Request request) {
    fail(
        request,
        RpcError.invalidRequest(
            "Invalid Request: request id "
                + request.id()
                + " is already in flight in this session"));
  }

  /**
   * Routes a request and sends its answer once, unless the host cancelled it first. A duplicate of
   * an id in flight is refused before {@code route} runs, so it never reaches a worker: this thread
   * handles the session's requests one at a time, so none can register the id between.
   */
  private void forward(Message.Request request, Supplier<RoutedCall> route) {
    JsonNode id = request.id();
    if (inFlight.containsKey(id)) {
      refuseDuplicate(request);
      return;
    }
    RoutedCall call = route.get();
    if (inFlight.putIfAbsent(id, call) != null) {
      call.cancel("duplicate request id");
      refuseDuplicate(request);
      return;
    }
    CompletableFuture<Void> settled =
        call.answer()
            .handle(
                (result, failure) -> {
                  if (!inFlight.remove(id, call)) return null;
                  if (failure == null) {
                    reply(request, result);
                    return null;
                  }
                  if (Failures.cause(failure) instanceof CancellationException) return null;
                  fail(request, CallFailed.errorOf(failure));
                  return null;
                });
    settling.put(id, settled);
    settled.whenComplete((x, y) -> settling.remove(id, settled));
  }

  /** The session side of one call: everything the worker says about it comes back here only. */
  private HostLink linkFor(JsonNode requestId) {
    return new HostLink() {
      @Override
      public void progress(ObjectNode params) {
        // No in-flight check: the first progress can arrive before forward() registers the call,
        // and the worker link already silences a call once it is answered or cancelled.
        out.send(new Message.Notification("notifications/progress", params), requestId);
      }

      @Override
      public void log(ObjectNode params) {
        if (LogLevel.passes(params.path("level").asText("info"), logLevel)) {
          out.send(new Message.Notification("notifications/message", params), requestId);
        }
      }

      @Override
      public CompletableFuture<JsonNode> request(String method, ObjectNode params) {
        RpcError refused = HostCapabilities.refusal(method, clientCapabilities, clientInfo);
        if (refused != null) return CompletableFuture.failedFuture(new CallFailed(refused));
        ObjectNode forHost = params.deepCopy();
        HostCapabilities.takeInputKey(forHost);
        return hostRequests.send(method, forHost, requestId);
      }
    };
  }

  @Override
  public void listChanged(String notification) {
    if (protocolVersion != null) out.send(new Message.Notification(notification, null), null);
  }

  @Override
  public void resourceUpdated(ObjectNode params) {
    if (subscriptions.contains(params.path("uri").asText())) {
      out.send(new Message.Notification("notifications/resources/updated", params), null);
    }
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

  /**
   * Completes when every call of this session in flight now has been answered on the wire: it waits
   * for the writing of each answer, not only for the answer, so a shutdown that follows cannot
   * cancel a call whose answer was about to be sent.
   */
  public CompletableFuture<Void> drained() {
    return CompletableFuture.allOf(settling.values().toArray(CompletableFuture[]::new));
  }

  /** The host is gone: its calls are cancelled on the workers, nothing more is sent. */
  public void close() {
    router.forget(this);
    hostRequests.abandon();
    for (JsonNode id : inFlight.keySet()) {
      RoutedCall call = inFlight.remove(id);
      if (call != null) call.cancel("the host disconnected");
    }
  }

  public String label() {
    return label;
  }

  public String protocolVersion() {
    return protocolVersion;
  }
}
