package dev.tandem.supervisor.tasks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.protocol.Json;
import dev.tandem.protocol.RpcError;
import dev.tandem.supervisor.router.CallFailed;
import dev.tandem.supervisor.router.Catalog;
import dev.tandem.supervisor.router.HostLink;
import dev.tandem.supervisor.router.Listing;
import dev.tandem.supervisor.router.Router;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * The 2025-11-25 experimental tasks utility for session-era hosts: {@code capabilities.tasks}, a
 * {@code tools/call} with {@code params.task} answered by a {@code CreateTaskResult}, then {@code
 * tasks/get}, {@code tasks/result} (which waits for the end), {@code tasks/list}, {@code
 * tasks/cancel} and {@code notifications/tasks/status}. A task belongs to the session that created
 * it; the questions its tool asks go to that session's host directly.
 */
public final class LegacyTasks {

  static final String RELATED_TASK = "io.modelcontextprotocol/related-task";

  private final TaskEngine engine;
  private final Router router;

  public LegacyTasks(TaskEngine engine, Router router) {
    this.engine = engine;
    this.router = router;
  }

  /** initialize: what a session-era host may augment with a task. */
  public static void advertise(ObjectNode initializeResult) {
    ObjectNode tasks = ((ObjectNode) initializeResult.get("capabilities")).putObject("tasks");
    tasks.putObject("list");
    tasks.putObject("cancel");
    tasks.putObject("requests").putObject("tools").putObject("call");
  }

  /**
   * For a {@code tools/call}: the {@code CreateTaskResult} when the host asked for a task, null
   * when the ordinary path answers it; throws {@link CallFailed} for a task the tool refuses, or a
   * plain call to a tool that runs only as a task (-32601, as the spec says).
   */
  /** Whether a tools/call asks to run as a task (params.task present). */
  public static boolean asksForTask(ObjectNode params) {
    return params != null && params.hasNonNull("task");
  }

  /** Whether the pools serve, so a call's tool (and how it runs) is known without waiting. */
  public boolean catalogKnown() {
    return router.catalog().isDone();
  }

  public CompletableFuture<ObjectNode> callAsTask(
      ObjectNode params, String owner, HostLink host, Consumer<ObjectNode> notify) {
    // Once the pools serve: whether a tool runs as a task is in its tools/list entry.
    return router.catalog().thenApply(catalog -> callAsTask(catalog, params, owner, host, notify));
  }

  private ObjectNode callAsTask(
      Catalog catalog,
      ObjectNode params,
      String owner,
      HostLink host,
      Consumer<ObjectNode> notify) {
    if (params == null || !params.path("name").isTextual()) return null;
    Listing.Entry entry = catalog.tools.find(params.path("name").asText());
    if (entry == null) return null;
    JsonNode tool = entry.item();
    String name = tool.path("name").asText();
    String support = tool.path("execution").path("taskSupport").asText("forbidden");
    JsonNode task = params.get("task");
    if (task == null || task.isNull()) {
      if (support.equals("required")) {
        throw new CallFailed(
            new RpcError(
                RpcError.METHOD_NOT_FOUND,
                "tool \""
                    + name
                    + "\" runs only as a task (execution.taskSupport = required): send params.task",
                null));
      }
      return null;
    }
    if (!task.isObject()) {
      throw new CallFailed(
          RpcError.invalidParams(
              "tools/call params.task must be an object, e.g. {\"ttl\": 60000}"));
    }
    if (!support.equals("optional") && !support.equals("required")) {
      throw new CallFailed(
          new RpcError(
              RpcError.METHOD_NOT_FOUND,
              "tool \""
                  + name
                  + "\" does not run as a task (no execution.taskSupport); call it without params.task",
              null));
    }
    long ttl = engine.settings().ttlMs();
    if (task.path("ttl").canConvertToLong() && task.path("ttl").asLong() > 0) {
      ttl = Math.min(ttl, task.path("ttl").asLong());
    }
    ObjectNode forWorker = Json.object().setAll(params);
    forWorker.remove("task");
    TaskRecord created =
        engine.start(owner, forWorker, ModernTasks.idempotent(tool), null, host, ttl);
    engine.observe(created.id(), changed -> notify.accept(taskObject(changed)));
    ObjectNode result = Json.object();
    result.set("task", taskObject(created));
    return result;
  }

  /**
   * {@code tasks/get}, {@code tasks/list}, {@code tasks/cancel}: answered at once; throws
   * CallFailed.
   */
  public ObjectNode handle(String method, ObjectNode params, String owner) {
    if (method.equals("tasks/list")) {
      ObjectNode result = Json.object();
      var list = result.putArray("tasks");
      for (TaskRecord t : engine.list(owner)) list.add(taskObject(t));
      return result;
    }
    String id = taskId(method, params);
    TaskRecord t = engine.get(owner, id);
    if (t == null) throw notFound(id);
    if (method.equals("tasks/cancel")) {
      if (t.terminal()) {
        throw new CallFailed(
            RpcError.invalidParams(
                "task \""
                    + id
                    + "\" has already ended ("
                    + t.status()
                    + "); it cannot be cancelled"));
      }
      engine.cancel(owner, id);
      return taskObject(engine.get(owner, id));
    }
    return taskObject(t);
  }

  /** {@code tasks/result}: what the call itself would have answered, once the task has ended. */
  public CompletableFuture<JsonNode> result(ObjectNode params, String owner) {
    String id;
    try {
      id = taskId("tasks/result", params);
    } catch (CallFailed e) {
      return CompletableFuture.failedFuture(e);
    }
    return engine
        .whenEnded(owner, id)
        .thenApply(
            t -> {
              if (t == null) throw notFound(id);
              ObjectNode related = Json.object();
              related.putObject(RELATED_TASK).put("taskId", id);
              return switch (t.status()) {
                case TaskRecord.COMPLETED -> {
                  ObjectNode r = t.result().deepCopy();
                  ObjectNode meta =
                      r.get("_meta") instanceof ObjectNode m ? m : r.putObject("_meta");
                  meta.setAll(related);
                  yield r;
                }
                case TaskRecord.FAILED ->
                    throw new CallFailed(
                        new RpcError(
                            t.error().path("code").asInt(RpcError.INTERNAL_ERROR),
                            t.error().path("message").asText("the task failed"),
                            t.error().get("data")));
                default ->
                    throw new CallFailed(
                        RpcError.internal("task \"" + id + "\" was cancelled; it has no result"));
              };
            });
  }

  private static String taskId(String method, ObjectNode params) {
    JsonNode id = params == null ? null : params.get("taskId");
    if (id == null || !id.isTextual()) {
      throw new CallFailed(
          RpcError.invalidParams(
              method + " needs params.taskId, a string from a CreateTaskResult"));
    }
    return id.asText();
  }

  private ObjectNode taskObject(TaskRecord t) {
    ObjectNode o = Json.object();
    o.put("taskId", t.id()).put("status", t.status());
    if (t.statusMessage() != null) o.put("statusMessage", t.statusMessage());
    o.put("createdAt", Instant.ofEpochMilli(t.createdAt()).toString());
    o.put("lastUpdatedAt", Instant.ofEpochMilli(t.updatedAt()).toString());
    o.put("ttl", t.ttlMs());
    o.put("pollInterval", engine.settings().pollIntervalMs());
    return o;
  }

  private static CallFailed notFound(String id) {
    return new CallFailed(
        RpcError.invalidParams(
            "no task \""
                + id
                + "\" in this session: it never existed, belongs to another session, or expired after its ttl"));
  }
}
