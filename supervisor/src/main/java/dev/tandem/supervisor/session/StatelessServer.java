package dev.tandem.supervisor.session;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.protocol.Failures;
import dev.tandem.protocol.Json;
import dev.tandem.protocol.Message;
import dev.tandem.protocol.ModernEra;
import dev.tandem.protocol.RawJson;
import dev.tandem.protocol.RpcError;
import dev.tandem.supervisor.router.CallFailed;
import dev.tandem.supervisor.router.Catalog;
import dev.tandem.supervisor.router.HostLink;
import dev.tandem.supervisor.router.Listing;
import dev.tandem.supervisor.router.RoutedCall;
import dev.tandem.supervisor.router.Router;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * Serves requests of the stateless 2026-07-28 revision: each one carries its own version,
 * capabilities and log level in {@code _meta}, and is answered on its own, with {@code resultType}
 * and the server's identity on every result and caching hints on list and read results. Sampling,
 * elicitation and roots become {@code input_required} round trips (see {@link SuspendedCall}).
 * Shared by every transport; one instance per daemon.
 */
public final class StatelessServer {

  /** Lists change only when a pool's offer does, which list_changed announces; a minute is safe. */
  static final long LIST_TTL_MS = 60_000;

  private final Router router;
  private final Session.Identity identity;
  private final int pageSize;
  private final RequestState states;
  private final SuspendedCalls suspended;
  private final Set<Subscription> subscriptions = ConcurrentHashMap.newKeySet();
  private final Set<CompletableFuture<?>> answering = ConcurrentHashMap.newKeySet();

  public StatelessServer(
      Router router, Session.Identity identity, int pageSize, Duration inputTtl) {
    this(router, identity, pageSize, inputTtl, StateKeys.perProcess());
  }

  public StatelessServer(
      Router router, Session.Identity identity, int pageSize, Duration inputTtl, StateKeys keys) {
    this.router = router;
    this.identity = identity;
    this.pageSize = pageSize;
    this.states = new RequestState(Clock.systemUTC(), keys);
    this.suspended = new SuspendedCalls(inputTtl);
  }

  /**
   * Answers one modern request through {@code out}. {@code principal} names who may resume what
   * this request suspends (the HTTP credential, or the stdio connection). Returns the call so a
   * transport can cancel it, or null for requests answered at once.
   */
  public RoutedCall handle(Message.Request request, Outbound out, String principal) {
    if (request.params() != null && request.params().get("arguments") instanceof RawJson raw) {
      // A requestState signs a digest of the params, taken over trees so that equal JSON digests
      // alike however a host spaces it: this era's arguments are parsed (stdio keeps them bytes).
      ObjectNode params = Json.object().setAll(request.params());
      params.set("arguments", raw.tree());
      request = new Message.Request(request.id(), request.method(), params);
    }
    RpcError problem = RequestMeta.problem(request);
    if (problem != null) {
      fail(out, request, problem);
      return null;
    }
    ObjectNode params = request.params();
    Request r = new Request(request, out, principal);
    switch (request.method()) {
      case "server/discover" -> r.complete(discover(), true);
      case "tools/list" -> list(r, c -> c.tools, "tools");
      case "prompts/list" -> list(r, c -> c.prompts, "prompts");
      case "resources/list" -> list(r, c -> c.resources, "resources");
      case "resources/templates/list" -> list(r, c -> c.templates, "resourceTemplates");
      case "tools/call" -> {
        return roundTrip(r, router::callTool);
      }
      case "prompts/get" -> {
        return roundTrip(r, router::getPrompt);
      }
      case "resources/read" -> {
        return roundTrip(r, (p, link) -> router.forResource("resources/read", p, link));
      }
      case "subscriptions/listen" -> {
        return listen(r);
      }
      case "completion/complete" -> {
        RoutedCall call = router.complete(params, r.link(null));
        track(call.answer().whenComplete((result, failure) -> r.settle(result, failure, false)));
        return call;
      }
      case "tandem/reload" ->
          router.reload(params).whenComplete((result, failure) -> r.settle(result, failure, false));
      case "initialize",
          "ping",
          "logging/setLevel",
          "resources/subscribe",
          "resources/unsubscribe" ->
          fail(
              out,
              request,
              new RpcError(
                  RpcError.METHOD_NOT_FOUND,
                  "Method not found: "
                      + request.method()
                      + " is not part of "
                      + ModernEra.VERSION
                      + " (it belongs to the initialize-based session era)",
                  null));
      default -> fail(out, request, RpcError.methodNotFound(request.method()));
    }
    return null;
  }

  /**
   * Opens a {@code subscriptions/listen} stream: acknowledged at once with what is honored (every
   * list-changed type, and the resource URIs some pool serves), then open until the client cancels
   * it or the server shuts down.
   */
  private RoutedCall listen(Request r) {
    JsonNode filter = r.request.params().get("notifications");
    if (filter != null && !filter.isObject()) {
      fail(
          r.out,
          r.request,
          RpcError.invalidParams("subscriptions/listen params.notifications must be an object"));
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

  /** Answers being worked on, by the stage that writes them: what a shutdown drains. */
  private void track(CompletableFuture<?> written) {
    answering.add(written);
    written.whenComplete((x, y) -> answering.remove(written));
  }

  /** Completes once every 2026-07-28 answer in progress now has been written. */
  public CompletableFuture<Void> drained() {
    return CompletableFuture.allOf(answering.toArray(CompletableFuture[]::new));
  }

  public int inFlight() {
    return answering.size();
  }

  /** Shutdown: every open subscription gets its graceful final result. */
  public void close() {
    ObjectNode info = Json.object().put("name", identity.name()).put("version", identity.version());
    for (Subscription sub : List.copyOf(subscriptions)) sub.close(info);
  }

  private ObjectNode discover() {
    ObjectNode result = Json.object();
    // Every version served: 2026-07-28 per request, the older ones through initialize.
    ModernEra.ALL_SUPPORTED.forEach(result.putArray("supportedVersions")::add);
    ServerSurface.describe(result);
    return result;
  }

  private void list(Request r, Function<Catalog, Listing> which, String key) {
    ServerSurface.page(router, r.request.method(), r.request.params(), which, key, pageSize)
        .whenComplete(
            (result, failure) -> {
              if (failure == null) {
                r.complete(result, true);
              } else {
                r.settle(null, failure, false);
              }
            });
  }

  /**
   * A request that may need the host's input: the first one starts the call, a retry with {@code
   * requestState} resumes it with {@code inputResponses}.
   */
  private RoutedCall roundTrip(Request r, BiFunction<ObjectNode, HostLink, RoutedCall> start) {
    ObjectNode params = r.request.params();
    JsonNode token = params.get("requestState");
    JsonNode responses = params.get("inputResponses");
    SuspendedCall call = null;
    JsonNode carried = null;
    if (token != null) {
      if (!token.isTextual()) {
        fail(
            r.out,
            r.request,
            RpcError.invalidParams("requestState must be the string tandem returned"));
        return null;
      }
      if (responses != null && !responses.isObject()) {
        fail(
            r.out,
            r.request,
            RpcError.invalidParams(
                "inputResponses must be an object of results keyed like inputRequests"));
        return null;
      }
      RequestState.Claims claims;
      try {
        claims = states.verify(token.asText(), r.request.method(), params, r.principal);
      } catch (RequestState.Rejected e) {
        fail(r.out, r.request, RpcError.invalidParams(e.getMessage()));
        return null;
      }
      call = suspended.find(claims.handle());
      if (call == null && suspended.issuedHere(claims.handle())) {
        fail(
            r.out,
            r.request,
            RpcError.invalidParams(
                "requestState refers to a call that has already finished or expired; start the request again without it"));
        return null;
      }
      if (call != null && claims.round() != call.round()) {
        fail(
            r.out,
            r.request,
            RpcError.invalidParams(
                "requestState was already used; send the requestState of the latest input_required result"));
        return null;
      }
      // Not ours: issued by another replica sharing the key (or by this one before a restart).
      // The call runs again from the start, its questions answered from the answers of the
      // earlier rounds that the token carries and from this retry's.
      if (call == null) carried = claims.answers();
    }
    CompletableFuture<SuspendedCall.Turn> turn;
    if (call != null) {
      call.host(r);
      turn = call.resume(responses);
    } else {
      // inputResponses without a requestState answer questions not asked yet: the call starts
      // afresh and a question under one of their keys is answered from them at once.
      call = suspended.open();
      call.host(r);
      call.prefill(carried);
      call.prefill(responses);
      // Nothing downstream changes params (Json.withMeta copies before it adds), so only a
      // request that carries round-trip fields needs a copy without them, and a shallow one.
      ObjectNode forWorker = params;
      if (responses != null || token != null) {
        forWorker = Json.object().setAll(params);
        forWorker.remove("inputResponses");
        forWorker.remove("requestState");
      }
      call.attach(start.apply(forWorker, r.link(call)));
      turn = call.firstTurn();
    }
    track(turn.whenComplete(settle(r, call, params)));
    return routed(call, turn);
  }

  /** What ends each turn of a round trip: the final answer, or the questions with a new state. */
  private BiConsumer<SuspendedCall.Turn, Throwable> settle(
      Request r, SuspendedCall call, ObjectNode params) {
    return (t, failure) -> {
      switch (t) {
        case SuspendedCall.Turn.Done done -> {
          suspended.close(call);
          r.settle(done.result(), done.failure(), r.request.method().equals("resources/read"));
        }
        case SuspendedCall.Turn.NeedsInput needs -> {
          ObjectNode result = Json.object();
          result.put("resultType", "input_required");
          result.set("inputRequests", needs.inputRequests());
          result.put(
              "requestState",
              states.issue(
                  call.handle,
                  call.round(),
                  r.request.method(),
                  params,
                  r.principal,
                  suspended.ttl().toMillis(),
                  call.answered()));
          r.send(result);
          suspended.awaitRetry(call);
        }
        case null -> r.settle(null, failure, false);
      }
    };
  }

  private RoutedCall routed(SuspendedCall call, CompletableFuture<SuspendedCall.Turn> turn) {
    return new RoutedCall() {
      @Override
      public CompletableFuture<JsonNode> answer() {
        return turn.thenApply(t -> null);
      }

      @Override
      public void cancel(String reason) {
        suspended.close(call);
        call.cancel(reason);
      }
    };
  }

  private void fail(Outbound out, Message.Request request, RpcError error) {
    out.send(new Message.Failure(request.id(), error), request.id());
  }

  /** One host request being answered: where its answer, progress and logs go. */
  final class Request {
    final Message.Request request;
    final Outbound out;
    final String principal;
    private final JsonNode capabilities;
    private final String logLevel;

    Request(Message.Request request, Outbound out, String principal) {
      this.request = request;
      this.out = out;
      this.principal = principal;
      JsonNode meta = request.params().path("_meta");
      this.capabilities = meta.path(ModernEra.CLIENT_CAPABILITIES);
      this.logLevel = meta.path(ModernEra.LOG_LEVEL).asText(null);
    }

    void complete(ObjectNode result, boolean cacheable) {
      result.put("resultType", "complete");
      if (cacheable) {
        result.put("ttlMs", LIST_TTL_MS);
        // Nothing tandem lists depends on who asks: any cache may share it.
        result.put("cacheScope", "public");
      }
      send(result);
    }

    void send(ObjectNode result) {
      ObjectNode meta = result.get("_meta") instanceof ObjectNode m ? m : result.putObject("_meta");
      meta.putObject(ModernEra.SERVER_INFO)
          .put("name", identity.name())
          .put("version", identity.version());
      out.send(new Message.Result(request.id(), result), request.id());
    }

    void settle(JsonNode result, Throwable failure, boolean cacheable) {
      if (failure == null) {
        // A tool's result may be the worker's bytes (RawJson): this era adds members to it.
        ObjectNode copy =
            result instanceof RawJson raw
                ? raw.tree().deepCopy()
                : result instanceof ObjectNode o ? o.deepCopy() : Json.object();
        if (cacheable) {
          // A resource may hold what only this caller should see: private, and not kept long.
          copy.put("resultType", "complete").put("ttlMs", 0).put("cacheScope", "private");
          send(copy);
        } else {
          complete(copy, false);
        }
        return;
      }
      if (Failures.cause(failure) instanceof CancellationException) return;
      RpcError error = CallFailed.errorOf(failure);
      if (error.code() == Router.RESOURCE_NOT_FOUND) {
        // 2026-07-28 moved "resource not found" to Invalid Params (changelog, minor change 6).
        error = new RpcError(RpcError.INVALID_PARAMS, error.message(), error.data());
      }
      fail(out, request, error);
    }

    /** What the worker says about the call goes to whichever host request is current. */
    HostLink link(SuspendedCall call) {
      return new HostLink() {
        @Override
        public void progress(ObjectNode params) {
          Request current = call == null ? Request.this : call.host();
          if (current != null)
            current.out.send(
                new Message.Notification("notifications/progress", params), current.request.id());
        }

        @Override
        public void log(ObjectNode params) {
          Request current = call == null ? Request.this : call.host();
          // 2026-07-28: no notifications/message unless the request asked with a level.
          if (current != null
              && current.logLevel != null
              && LogLevel.passes(params.path("level").asText("info"), current.logLevel)) {
            current.out.send(
                new Message.Notification("notifications/message", params), current.request.id());
          }
        }

        @Override
        public CompletableFuture<JsonNode> request(String method, ObjectNode params) {
          String needed = HostCapabilities.requiredFor(method);
          if (call == null) {
            return CompletableFuture.failedFuture(
                new CallFailed(
                    RpcError.methodNotFound(
                        method
                            + " is not available while answering "
                            + request.method()
                            + " in "
                            + ModernEra.VERSION)));
          }
          Request current = call.host();
          JsonNode caps = current == null ? capabilities : current.capabilities;
          if (needed == null) {
            return CompletableFuture.failedFuture(new CallFailed(RpcError.methodNotFound(method)));
          }
          if (!caps.has(needed)) {
            // The call cannot go on without it: the request fails with the revision's error
            // (MRTR: never send an inputRequest the client did not declare) and the call stops.
            ObjectNode data = Json.object();
            data.putObject("requiredCapabilities").putObject(needed);
            CallFailed missing =
                new CallFailed(
                    new RpcError(
                        ModernEra.MISSING_REQUIRED_CLIENT_CAPABILITY,
                        request.method()
                            + " needs the client capability '"
                            + needed
                            + "' (for "
                            + method
                            + "), which this request did not declare",
                        data));
            call.abort(missing, "tandem: the client lacks the '" + needed + "' capability");
            return CompletableFuture.failedFuture(missing);
          }
          ObjectNode forHost = params.deepCopy();
          String key = HostCapabilities.takeInputKey(forHost);
          return call.ask(method, forHost, key);
        }
      };
    }
  }
}
