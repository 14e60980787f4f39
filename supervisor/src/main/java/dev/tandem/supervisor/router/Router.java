package dev.tandem.supervisor.router;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.protocol.Failures;
import dev.tandem.protocol.Json;
import dev.tandem.protocol.RawJson;
import dev.tandem.protocol.RpcError;
import dev.tandem.supervisor.log.Log;
import dev.tandem.supervisor.pool.Pool;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.IntSupplier;

/**
 * Carries host requests to the pool that serves them and answers back. It owns the translation
 * between a host's identifiers and a worker's: the worker link numbers its own requests and
 * progress tokens, and the router restores the host's token on the way back, and sends what a
 * worker says about a call (progress, logs, requests to the host) to that call's session only.
 */
public final class Router {

  /** MCP's code for a resource URI no pool serves (server/resources, "Error Handling"). */
  public static final int RESOURCE_NOT_FOUND = -32002;

  private final List<Pool> pools;
  private final CompletableFuture<Catalog> ready = new CompletableFuture<>();
  private final List<CatalogObserver> observers = new CopyOnWriteArrayList<>();
  private volatile Catalog current;
  private volatile boolean accepting = true;
  private final Map<String, IntSupplier> statusCounts = new ConcurrentSkipListMap<>();
  private volatile CallObserver callObserver = CallObserver.NONE;
  private final Forwarding forwarding = new Forwarding(this);

  public Router(List<Pool> pools) {
    this.pools = List.copyOf(pools);
    for (Pool pool : this.pools) pool.listen(poolListener);
  }

  /** Starts every pool in parallel; completes when all serve and their offers do not clash. */
  public CompletableFuture<Catalog> start() {
    CompletableFuture.allOf(pools.stream().map(Pool::start).toArray(CompletableFuture[]::new))
        .thenApply(ignored -> Catalog.of(pools))
        .whenComplete(
            (c, failure) -> {
              if (failure != null) {
                ready.completeExceptionally(Failures.cause(failure));
              } else {
                current = c;
                ready.complete(c);
              }
            });
    return ready;
  }

  /** The catalog once every pool has started; later changes replace {@link #current()}. */
  public CompletableFuture<Catalog> catalog() {
    return ready.thenApply(first -> current);
  }

  /** Completes when every pool serves (or fails with why one cannot). */
  CompletableFuture<Catalog> started() {
    return ready;
  }

  /** The catalog as the pools offer it now; null until they have started. */
  Catalog current() {
    return current;
  }

  boolean accepting() {
    return accepting;
  }

  public List<Pool> pools() {
    return pools;
  }

  public void observe(CatalogObserver observer) {
    observers.add(observer);
  }

  public void forget(CatalogObserver observer) {
    observers.remove(observer);
  }

  private final Pool.Listener poolListener =
      new Pool.Listener() {
        @Override
        public void offerChanged(Pool pool) {
          Catalog before = current;
          Catalog after;
          try {
            after = Catalog.of(pools);
          } catch (Catalog.Conflict e) {
            Log.error(
                "pool="
                    + pool.name()
                    + " changed its lists into a conflict, keeping the old ones: "
                    + e.getMessage());
            return;
          }
          current = after;
          if (before == null) return;
          if (!before.tools.entries().equals(after.tools.entries()))
            announce("notifications/tools/list_changed");
          if (!before.prompts.entries().equals(after.prompts.entries()))
            announce("notifications/prompts/list_changed");
          if (!before.resources.entries().equals(after.resources.entries())
              || !before.templates.entries().equals(after.templates.entries())) {
            announce("notifications/resources/list_changed");
          }
        }

        @Override
        public void resourceUpdated(Pool pool, ObjectNode params) {
          for (CatalogObserver o : observers) o.resourceUpdated(params);
        }
      };

  private void announce(String notification) {
    for (CatalogObserver o : observers) o.listChanged(notification);
  }

  /**
   * Who hears each tool call's start and outcome (the metrics); one observer, set before serving.
   */
  public void observeCalls(CallObserver observer) {
    this.callObserver = observer;
  }

  /**
   * Routes one {@code tools/call}. Protocol mistakes (no name, unknown tool) answer as JSON-RPC
   * errors; everything that goes wrong while the tool runs answers as an {@code isError} result,
   * which the model gets to read, as the MCP tools page asks.
   */
  public RoutedCall callTool(ObjectNode params, HostLink host) {
    JsonNode name = params == null ? null : params.get("name");
    if (name == null || !name.isTextual()) {
      return RoutedCall.failed(
          RpcError.invalidParams(
              "tools/call needs params.name, the name of a tool from tools/list"));
    }
    JsonNode arguments = params.get("arguments");
    if (arguments != null && !RawJson.isObject(arguments) && !arguments.isNull()) {
      return RoutedCall.failed(
          RpcError.invalidParams(
              "tools/call params.arguments must be an object of named arguments"));
    }
    String tool = name.asText();
    CallObserver seen = callObserver;
    long startedAt = System.nanoTime();
    seen.started(tool);
    RoutedCall call =
        forwarding.route(
            "tools/call",
            params,
            host,
            catalog -> {
              Listing.Entry entry = catalog.tools.find(tool);
              if (entry == null) {
                throw new CallFailed(
                    RpcError.invalidParams(
                        "Unknown tool: \""
                            + tool
                            + "\"; tools/list shows the "
                            + catalog.tools.size()
                            + " tools served"));
              }
              return new Forwarding.Target(entry.pool(), retryable(entry.item()));
            },
            new Errors.ForTool(tool));
    call.answer()
        .whenComplete(
            (r, f) ->
                seen.finished(
                    tool, r, f == null ? null : Failures.cause(f), System.nanoTime() - startedAt));
    return call;
  }

  public RoutedCall getPrompt(ObjectNode params, HostLink host) {
    String name = text(params, "name");
    if (name == null)
      return RoutedCall.failed(
          RpcError.invalidParams(
              "prompts/get needs params.name, the name of a prompt from prompts/list"));
    return forwarding.route(
        "prompts/get",
        params,
        host,
        catalog -> {
          Listing.Entry entry = catalog.prompts.find(name);
          if (entry == null) {
            throw new CallFailed(
                RpcError.invalidParams(
                    "Unknown prompt: \""
                        + name
                        + "\"; prompts/list shows the "
                        + catalog.prompts.size()
                        + " prompts served"));
          }
          return new Forwarding.Target(entry.pool(), true);
        },
        Errors.PROTOCOL);
  }

  /**
   * resources/read, resources/subscribe and resources/unsubscribe go to the pool serving the URI.
   */
  public RoutedCall forResource(String method, ObjectNode params, HostLink host) {
    String uri = text(params, "uri");
    if (uri == null)
      return RoutedCall.failed(
          RpcError.invalidParams(method + " needs params.uri, a resource URI"));
    return forwarding.route(
        method,
        params,
        host,
        catalog -> {
          Pool pool = catalog.poolForUri(uri);
          if (pool == null) {
            ObjectNode data = Json.object().put("uri", uri);
            throw new CallFailed(
                new RpcError(RESOURCE_NOT_FOUND, "Resource not found: " + uri, data));
          }
          return new Forwarding.Target(pool, true);
        },
        Errors.PROTOCOL);
  }

  /** completion/complete goes to the pool serving the prompt or resource template referred to. */
  public RoutedCall complete(ObjectNode params, HostLink host) {
    JsonNode ref = params == null ? null : params.get("ref");
    if (ref == null || !ref.isObject()) {
      return RoutedCall.failed(
          RpcError.invalidParams(
              "completion/complete needs params.ref, a ref/prompt or ref/resource"));
    }
    String type = ref.path("type").asText();
    return forwarding.route(
        "completion/complete",
        params,
        host,
        catalog -> {
          Pool pool =
              switch (type) {
                case "ref/prompt" -> {
                  Listing.Entry e = catalog.prompts.find(ref.path("name").asText());
                  yield e == null ? null : e.pool();
                }
                case "ref/resource" -> {
                  String uri = ref.path("uri").asText();
                  Listing.Entry e = catalog.templates.find(uri);
                  yield e != null ? e.pool() : catalog.poolForUri(uri);
                }
                default ->
                    throw new CallFailed(
                        RpcError.invalidParams(
                            "completion/complete: unknown ref type \"" + type + "\""));
              };
          if (pool == null) {
            throw new CallFailed(
                RpcError.invalidParams(
                    "completion/complete: no prompt or resource template matches " + ref));
          }
          return new Forwarding.Target(pool, true);
        },
        Errors.PROTOCOL);
  }

  private static String text(ObjectNode params, String field) {
    JsonNode v = params == null ? null : params.get(field);
    return v != null && v.isTextual() ? v.asText() : null;
  }

  static boolean retryable(JsonNode tool) {
    JsonNode annotations = tool.path("annotations");
    return annotations.path("readOnlyHint").asBoolean(false)
        || annotations.path("idempotentHint").asBoolean(false);
  }

  /**
   * {@code tandem/reload}: replaces the workers of every pool (or those in {@code params.pools})
   * with fresh processes on the code as it is on disk, without dropping a call; see {@link
   * PoolReloads} for the answer. Fails with {@link CallFailed} (its JSON-RPC error) when a pool's
   * new code does not start, which leaves that pool's old workers serving.
   */
  public CompletableFuture<JsonNode> reload(ObjectNode params) {
    // A reload asked for while the pools start waits for them: it then reloads what just started.
    return ready
        .handle((catalog, failure) -> failure)
        .thenCompose(
            failure ->
                failure == null
                    ? PoolReloads.run(this, params)
                    : CompletableFuture.failedFuture(
                        new CallFailed(
                            RpcError.internal(
                                "tandem is not serving: "
                                    + Failures.cause(failure).getMessage()))));
  }

  /** Why the pools' offers cannot form one catalog now, or null when they can. */
  String catalogConflict() {
    try {
      Catalog.of(pools);
      return null;
    } catch (Catalog.Conflict e) {
      return e.getMessage();
    }
  }

  /** Every pool and worker as the operator sees them (served as tandem/status and /status). */
  public ObjectNode status() {
    return StatusReport.of(this, statusCounts);
  }

  /** A number the status document shows beside the pools, e.g. open HTTP sessions. */
  public void reportInStatus(String name, IntSupplier count) {
    statusCounts.put(name, count);
  }

  /** Shutdown's first step: new requests are refused, those in flight go on. */
  public void stopAccepting() {
    accepting = false;
  }

  /**
   * Answers every call still in flight with an error saying {@code why} and cancels it on its
   * worker: shutdown's step once the grace period is over, before the sessions close.
   */
  public void abandonCalls(String why) {
    for (Pool pool : pools) pool.abandonCalls(why);
  }

  public CompletableFuture<Void> shutdown(Duration grace) {
    return CompletableFuture.allOf(
        pools.stream().map(p -> p.shutdown(grace)).toArray(CompletableFuture[]::new));
  }
}
