package dev.tandem.supervisor.router;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.protocol.Json;
import dev.tandem.protocol.RpcError;
import dev.tandem.supervisor.log.Log;
import dev.tandem.supervisor.pool.Pool;
import dev.tandem.supervisor.pool.PoolUnavailable;
import dev.tandem.supervisor.worker.WorkerCall;
import dev.tandem.supervisor.worker.WorkerDied;
import dev.tandem.supervisor.worker.WorkerError;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * Carries host calls to the pool that serves them and answers back. It owns the translation
 * between a host's identifiers and a worker's: the worker link numbers its own requests and
 * progress tokens, and the router restores the host's token on the way back.
 */
public final class Router {

  private final List<Pool> pools;
  private final CompletableFuture<ToolCatalog> catalog = new CompletableFuture<>();
  private volatile CallObserver observer = CallObserver.NONE;

  public Router(List<Pool> pools) {
    this.pools = List.copyOf(pools);
  }

  /** Starts every pool in parallel; completes when all serve and their tools do not clash. */
  public CompletableFuture<ToolCatalog> start() {
    CompletableFuture.allOf(pools.stream().map(Pool::start).toArray(CompletableFuture[]::new))
        .thenApply(ignored -> ToolCatalog.of(pools))
        .whenComplete((c, failure) -> {
          if (failure != null) catalog.completeExceptionally(unwrap(failure));
          else catalog.complete(c);
        });
    return catalog;
  }

  public CompletableFuture<ToolCatalog> catalog() {
    return catalog;
  }

  public List<Pool> pools() {
    return pools;
  }

  /** Who hears each call's start and outcome (the metrics); one observer, set before serving. */
  public void observe(CallObserver callObserver) {
    this.observer = callObserver;
  }

  /**
   * Routes one {@code tools/call}. Protocol mistakes (no name, unknown tool) answer as JSON-RPC
   * errors; everything that goes wrong while the tool runs answers as an {@code isError} result,
   * which the model gets to read, as the MCP tools page asks.
   */
  public RoutedCall callTool(ObjectNode params, ProgressSink progress) {
    ToolCall call = new ToolCall();
    JsonNode name = params == null ? null : params.get("name");
    if (name == null || !name.isTextual()) {
      call.answer.completeExceptionally(
          new CallFailed(RpcError.invalidParams("tools/call needs params.name, the name of a tool from tools/list")));
      return call;
    }
    JsonNode arguments = params.get("arguments");
    if (arguments != null && !arguments.isObject() && !arguments.isNull()) {
      call.answer.completeExceptionally(
          new CallFailed(RpcError.invalidParams("tools/call params.arguments must be an object of named arguments")));
      return call;
    }
    JsonNode hostToken = params.path("_meta").get("progressToken");
    CallObserver seen = observer;
    long startedAt = System.nanoTime();
    seen.started(name.asText());
    call.answer.whenComplete((r, f) -> seen.finished(name.asText(), r, unwrap(f), System.nanoTime() - startedAt));
    catalog.whenComplete((c, failure) -> {
      if (failure != null) {
        call.answer.completeExceptionally(new CallFailed(RpcError.internal("tandem is not serving: " + unwrap(failure).getMessage())));
        return;
      }
      dispatch(call, c, name.asText(), params, hostToken, progress);
    });
    return call;
  }

  private void dispatch(ToolCall call, ToolCatalog catalog, String tool, ObjectNode params, JsonNode hostToken, ProgressSink progress) {
    ToolCatalog.Entry entry = catalog.find(tool);
    if (entry == null) {
      call.answer.completeExceptionally(new CallFailed(RpcError.invalidParams(
          "Unknown tool: \"" + tool + "\"; tools/list shows the " + catalog.size() + " tools served")));
      return;
    }
    WorkerCall onWorker;
    try {
      onWorker = entry.pool().call("tools/call", params,
          hostToken == null || progress == null ? null : p -> {
            ObjectNode forHost = p.deepCopy();
            forHost.set("progressToken", hostToken);
            progress.progress(forHost);
          });
    } catch (PoolUnavailable e) {
      call.answer.complete(toolError("tool \"" + tool + "\" is unavailable: " + e.getMessage()));
      return;
    }
    if (!call.attach(onWorker)) return;
    onWorker.result().whenComplete((result, failure) -> {
      if (failure == null) {
        call.answer.complete(result);
        return;
      }
      Throwable cause = unwrap(failure);
      switch (cause) {
        case CancellationException c -> call.answer.cancel(false);
        case WorkerError e -> call.answer.completeExceptionally(new CallFailed(e.error()));
        case WorkerDied d -> {
          Log.warn("tools/call \"" + tool + "\" lost its worker: " + d.getMessage());
          call.answer.complete(toolError(
              "tool \"" + tool + "\" failed: " + d.getMessage() + " while running it; the call was not retried"
                  + lastLines(d.stderrTail())));
        }
        default -> call.answer.completeExceptionally(new CallFailed(RpcError.internal(
            "tool \"" + tool + "\" failed inside tandem: " + cause)));
      }
    });
  }

  private static String lastLines(List<String> tail) {
    if (tail.isEmpty()) return "";
    List<String> last = tail.subList(Math.max(0, tail.size() - 5), tail.size());
    return ". Its last stderr lines:\n" + String.join("\n", last);
  }

  /** A result the model reads: the tool could not do its job, and why. */
  static JsonNode toolError(String message) {
    ObjectNode result = Json.object();
    result.putArray("content").addObject().put("type", "text").put("text", message);
    result.put("isError", true);
    return result;
  }

  public CompletableFuture<Void> shutdown(Duration grace) {
    return CompletableFuture.allOf(pools.stream().map(p -> p.shutdown(grace)).toArray(CompletableFuture[]::new));
  }

  static Throwable unwrap(Throwable t) {
    while (t instanceof CompletionException && t.getCause() != null) t = t.getCause();
    return t;
  }

  /** A call that may be cancelled before, while or after it reaches a worker. */
  private static final class ToolCall implements RoutedCall {
    final CompletableFuture<JsonNode> answer = new CompletableFuture<>();
    private WorkerCall onWorker;
    private boolean cancelled;
    private String reason;

    @Override
    public CompletableFuture<JsonNode> answer() {
      return answer;
    }

    synchronized boolean attach(WorkerCall call) {
      if (cancelled) {
        call.cancel(reason);
        return false;
      }
      onWorker = call;
      return true;
    }

    @Override
    public void cancel(String why) {
      WorkerCall target;
      synchronized (this) {
        cancelled = true;
        reason = why;
        target = onWorker;
      }
      answer.cancel(false);
      if (target != null) target.cancel(why);
    }
  }
}
