package dev.tandem.supervisor.session;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.protocol.Failures;
import dev.tandem.protocol.Json;
import dev.tandem.protocol.Message;
import dev.tandem.protocol.ModernEra;
import dev.tandem.protocol.RpcError;
import dev.tandem.supervisor.router.CallFailed;
import dev.tandem.supervisor.router.Catalog;
import dev.tandem.supervisor.router.Listing;
import dev.tandem.supervisor.router.RoutedCall;
import dev.tandem.supervisor.router.Router;
import dev.tandem.supervisor.tasks.ModernTasks;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.function.Supplier;

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
  private final byte[] completeMembers;
  private final int pageSize;
  private final RoundTrips roundTrips;
  private final Listens listens;
  private final Set<CompletableFuture<?>> answering = ConcurrentHashMap.newKeySet();
  private volatile ModernTasks tasks;

  public StatelessServer(
      Router router, Session.Identity identity, int pageSize, Duration inputTtl) {
    this(router, identity, pageSize, inputTtl, StateKeys.perProcess());
  }

  public StatelessServer(
      Router router, Session.Identity identity, int pageSize, Duration inputTtl, StateKeys keys) {
    this.router = router;
    this.identity = identity;
    this.completeMembers = ModernRequest.completeMembers(identity);
    this.pageSize = pageSize;
    this.roundTrips = new RoundTrips(inputTtl, keys, this::track);
    this.listens = new Listens(router);
  }

  /** Serves the io.modelcontextprotocol/tasks extension from now on (wired once, at start). */
  public void serveTasks(ModernTasks tasks) {
    this.tasks = tasks;
  }

  /**
   * Answers one modern request through {@code out}. {@code principal} names who may resume what
   * this request suspends (the HTTP credential, or the stdio connection). Returns the call so a
   * transport can cancel it, or null for requests answered at once.
   */
  public RoutedCall handle(Message.Request request, Outbound out, String principal) {
    return handle(request, out, () -> principal);
  }

  /**
   * As above, with the principal worked out only if this request suspends or resumes a call (over
   * HTTP it is a hash of the credential, which nearly every request never needs).
   */
  public RoutedCall handle(Message.Request request, Outbound out, Supplier<String> principal) {
    // A tools/call's arguments stay the host's bytes (RawJson), as in a session: only a request
    // that issues or checks a requestState parses them, for its digest (RequestState.digest).
    RpcError problem = RequestMeta.problem(request);
    if (problem != null) {
      fail(out, request, problem);
      return null;
    }
    ObjectNode params = request.params();
    ModernRequest r = new ModernRequest(request, out, principal, identity, completeMembers);
    switch (request.method()) {
      case "server/discover" -> r.complete(discover(), true);
      case "tools/list" -> list(r, c -> c.tools, "tools");
      case "prompts/list" -> list(r, c -> c.prompts, "prompts");
      case "resources/list" -> list(r, c -> c.resources, "resources");
      case "resources/templates/list" -> list(r, c -> c.templates, "resourceTemplates");
      case "tools/call" -> {
        if (tasks == null) return roundTrips.start(r, router::callTool);
        CompletableFuture<ObjectNode> task = tasks.callAsTask(params, r::principal);
        // The common case, decided at once: not a task, so the call is cancellable as usual.
        if (task.isDone() && !task.isCompletedExceptionally() && task.join() == null)
          return roundTrips.start(r, router::callTool);
        task.whenComplete(
            (created, failure) -> {
              if (created != null) {
                roundTrips.retire(params, r.principal());
                r.send(created);
              } else if (failure != null && Failures.cause(failure) instanceof CallFailed f)
                fail(r.out, r.request, f.error());
              else roundTrips.start(r, router::callTool);
            });
        return null;
      }
      case "tasks/get", "tasks/update", "tasks/cancel" -> {
        if (tasks == null) fail(out, request, RpcError.methodNotFound(request.method()));
        else answer(r, () -> tasks.handle(r.request.method(), params, r.principal()));
      }
      case "prompts/get" -> {
        return roundTrips.start(r, router::getPrompt);
      }
      case "resources/read" -> {
        return roundTrips.start(r, (p, link) -> router.forResource("resources/read", p, link));
      }
      case "subscriptions/listen" -> {
        return listens.listen(r);
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

  /** What the pools serve, once they have started: a transport's checks read tools' schemas. */
  public CompletableFuture<Catalog> catalog() {
    return router.catalog();
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
    listens.close(info);
  }

  private ObjectNode discover() {
    ObjectNode result = Json.object();
    // Every version served: 2026-07-28 per request, the older ones through initialize.
    ModernEra.ALL_SUPPORTED.forEach(result.putArray("supportedVersions")::add);
    ServerSurface.describe(result);
    if (tasks != null) ModernTasks.advertise(result);
    return result;
  }

  private void list(ModernRequest r, Function<Catalog, Listing> which, String key) {
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
   * Sends what {@code answer} returns at once (a {@link CallFailed} as its error); false when it
   * returns null, which leaves the request to the ordinary path.
   */
  private boolean answer(ModernRequest r, java.util.function.Supplier<ObjectNode> answer) {
    ObjectNode result;
    try {
      result = answer.get();
    } catch (CallFailed e) {
      fail(r.out, r.request, e.error());
      return true;
    }
    if (result == null) return false;
    r.send(result);
    return true;
  }

  private static void fail(Outbound out, Message.Request request, RpcError error) {
    out.send(new Message.Failure(request.id(), error), request.id());
  }
}
