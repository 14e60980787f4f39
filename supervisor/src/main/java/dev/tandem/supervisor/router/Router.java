package dev.tandem.supervisor.router;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.protocol.Json;
import dev.tandem.protocol.RpcError;
import dev.tandem.supervisor.log.Log;
import dev.tandem.supervisor.pool.Pool;
import dev.tandem.supervisor.pool.PoolCall;
import dev.tandem.supervisor.pool.PoolUnavailable;
import dev.tandem.supervisor.pool.StatusReport;
import dev.tandem.supervisor.worker.Worker;
import dev.tandem.supervisor.worker.WorkerDied;
import dev.tandem.supervisor.worker.WorkerError;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Carries host calls to the pool that serves them and answers back. It owns the translation
 * between a host's identifiers and a worker's: the worker link numbers its own requests and
 * progress tokens, and the router restores the host's token on the way back.
 */
public final class Router {

  /**
   * Per-call deadlines. Cancelled timers are removed at once, so a flood of calls answered quickly
   * leaves nothing behind; expiring only completes futures, so one thread serves them all.
   */
  private static final ScheduledExecutorService DEADLINES = deadlines();

  private final List<Pool> pools;
  private final CompletableFuture<ToolCatalog> catalog = new CompletableFuture<>();

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
    Consumer<ObjectNode> onProgress = hostToken == null || progress == null ? null : p -> {
      ObjectNode forHost = p.deepCopy();
      forHost.set("progressToken", hostToken);
      progress.progress(forHost);
    };
    Duration timeout = entry.pool().callTimeout();
    ScheduledFuture<?> deadline =
        DEADLINES.schedule(() -> call.expire(tool, entry.pool(), timeout), timeout.toMillis(), TimeUnit.MILLISECONDS);
    call.answer.whenComplete((r, f) -> deadline.cancel(false));
    send(call, tool, entry, params, onProgress, null);
  }

  /**
   * One attempt on the pool. A worker that dies under a call answers it with an error that says
   * so, unless the tool is annotated read-only or idempotent: then running it again cannot do
   * harm twice, and it is retried once, on whichever worker is ready.
   */
  private void send(ToolCall call, String tool, ToolCatalog.Entry entry, ObjectNode params,
      Consumer<ObjectNode> onProgress, WorkerDied earlier) {
    PoolCall onPool = entry.pool().submit("tools/call", params, onProgress);
    if (!call.attach(onPool)) return;
    onPool.result().whenComplete((result, failure) -> {
      if (failure == null) {
        if (earlier != null) {
          Log.info("tools/call \"" + tool + "\" was retried on " + describe(onPool.worker()) + " and answered");
        }
        call.answer.complete(result);
        return;
      }
      Throwable cause = unwrap(failure);
      switch (cause) {
        case CancellationException c -> call.answer.cancel(false);
        case WorkerError e -> call.answer.completeExceptionally(new CallFailed(e.error()));
        case PoolUnavailable u -> call.answer.complete(toolError(
            "tool \"" + tool + "\" is unavailable: " + u.getMessage()
                + (earlier == null ? "" : " (it was being retried because " + earlier.getMessage() + ")")));
        case WorkerDied d when earlier == null && retryable(entry.tool()) && !call.answer.isDone() -> {
          Log.warn(d.getMessage() + " during tools/call \"" + tool + "\"; retrying it once on another worker"
              + " (the tool is annotated read-only or idempotent)");
          send(call, tool, entry, params, onProgress, d);
        }
        case WorkerDied d -> {
          Log.warn("tools/call \"" + tool + "\" lost its worker: " + d.getMessage());
          call.answer.complete(toolError(
              "tool \"" + tool + "\" failed: " + d.getMessage() + " while running it; "
                  + (earlier != null
                      ? "it was a retry, after " + earlier.getMessage() + ", and is not retried again"
                      : retryable(entry.tool())
                          ? "the call was not retried"
                          : "the call was not retried because the tool is not annotated readOnlyHint or idempotentHint")
                  + lastLines(d.stderrTail())));
        }
        default -> call.answer.completeExceptionally(new CallFailed(RpcError.internal(
            "tool \"" + tool + "\" failed inside tandem: " + cause)));
      }
    });
  }

  /** MCP tool annotations: running a read-only or idempotent tool twice has no extra effect. */
  static boolean retryable(JsonNode tool) {
    JsonNode annotations = tool.path("annotations");
    return annotations.path("readOnlyHint").asBoolean(false) || annotations.path("idempotentHint").asBoolean(false);
  }

  private static String describe(Worker worker) {
    return worker == null ? "a worker" : "worker " + worker.spec().index() + " (pid " + worker.pid() + ")";
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

  /** What every pool and worker is doing: the document {@code tandem/status} and the admin endpoint serve. */
  public ObjectNode status() {
    return StatusReport.of(pools);
  }

  /** The first step of a shutdown: new calls are refused; queued and running ones go on. */
  public void stopAccepting() {
    pools.forEach(Pool::stopAccepting);
  }

  public CompletableFuture<Void> shutdown(Duration grace) {
    return CompletableFuture.allOf(pools.stream().map(p -> p.shutdown(grace)).toArray(CompletableFuture[]::new));
  }

  private static ScheduledExecutorService deadlines() {
    ScheduledThreadPoolExecutor timers = new ScheduledThreadPoolExecutor(1, r -> {
      Thread t = new Thread(r, "tandem-deadlines");
      t.setDaemon(true);
      return t;
    });
    timers.setRemoveOnCancelPolicy(true);
    return timers;
  }

  static Throwable unwrap(Throwable t) {
    while (t instanceof CompletionException && t.getCause() != null) t = t.getCause();
    return t;
  }

  /**
   * A call that may be cancelled, or pass its deadline, before, while or after it reaches a
   * worker, and may be retried once. Its answer completes once; whoever completes it first (the
   * worker's answer, the deadline, the host's cancellation) wins and the others do nothing.
   */
  private static final class ToolCall implements RoutedCall {
    final CompletableFuture<JsonNode> answer = new CompletableFuture<>();
    private PoolCall onWorker;
    private boolean cancelled;
    private String reason;

    @Override
    public CompletableFuture<JsonNode> answer() {
      return answer;
    }

    /** The deadline passed: the caller hears so, and the worker is told to stop. */
    void expire(String tool, Pool pool, Duration timeout) {
      PoolCall target;
      synchronized (this) {
        target = onWorker;
      }
      Worker worker = target == null ? null : target.worker();
      String where = worker == null
          ? "it was still queued, waiting for a free worker"
          : "it was cancelled on " + describe(worker);
      boolean first = answer.complete(toolError(
          "tool \"" + tool + "\" did not answer within " + timeout.toMillis() + " ms (call_timeout_ms of pool \""
              + pool.name() + "\"); " + where));
      if (first && target != null) {
        Log.warn("tools/call \"" + tool + "\" passed its deadline of " + timeout.toMillis() + " ms; " + where);
        target.cancel("tandem: the call passed its deadline of " + timeout.toMillis() + " ms");
      }
    }

    synchronized boolean attach(PoolCall call) {
      if (cancelled || answer.isDone()) {
        call.cancel(cancelled ? reason : "tandem: the call was already answered");
        return false;
      }
      onWorker = call;
      return true;
    }

    @Override
    public void cancel(String why) {
      PoolCall target;
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
