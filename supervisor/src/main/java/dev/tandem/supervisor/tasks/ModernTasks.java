package dev.tandem.supervisor.tasks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.protocol.Json;
import dev.tandem.protocol.ModernEra;
import dev.tandem.protocol.RpcError;
import dev.tandem.supervisor.router.CallFailed;
import dev.tandem.supervisor.router.Catalog;
import dev.tandem.supervisor.router.Listing;
import dev.tandem.supervisor.router.Router;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * The 2026-07-28 {@code io.modelcontextprotocol/tasks} extension (SEP-2663) on the wire: which
 * {@code tools/call} becomes a task, the flat {@code CreateTaskResult}, and {@code tasks/get},
 * {@code tasks/update}, {@code tasks/cancel}. The server decides: a tool that declares {@code
 * execution.taskSupport} "optional" or "required" runs as a task for a request whose client
 * capabilities name the extension. A task belongs to the principal whose request created it.
 */
public final class ModernTasks {

  public static final String EXTENSION = "io.modelcontextprotocol/tasks";

  /** A tool whose questions come first, as input_required round trips, and then runs as a task. */
  static final String INPUT_FIRST = "tandem/inputFirst";

  private final TaskEngine engine;
  private final Router router;

  public ModernTasks(TaskEngine engine, Router router) {
    this.engine = engine;
    this.router = router;
  }

  /** server/discover: the extension under capabilities.extensions (never a v1 tasks slot). */
  public static void advertise(ObjectNode discoverResult) {
    ObjectNode capabilities = (ObjectNode) discoverResult.get("capabilities");
    capabilities.putObject("extensions").putObject(EXTENSION);
  }

  /**
   * For a {@code tools/call}: the {@code CreateTaskResult} when it runs as a task, null when the
   * ordinary path answers it. Throws {@link CallFailed} for a tool that only runs as a task asked
   * by a client that did not declare the extension (-32021).
   */
  public CompletableFuture<ObjectNode> callAsTask(ObjectNode params, Supplier<String> principal) {
    // Once the pools serve: whether a tool runs as a task is in its tools/list entry.
    return router.catalog().thenApply(catalog -> callAsTask(catalog, params, principal));
  }

  private ObjectNode callAsTask(Catalog catalog, ObjectNode params, Supplier<String> principal) {
    if (!params.path("name").isTextual()) return null;
    Listing.Entry entry = catalog.tools.find(params.path("name").asText());
    if (entry == null) return null;
    JsonNode tool = entry.item();
    String support = tool.path("execution").path("taskSupport").asText("forbidden");
    if (!support.equals("optional") && !support.equals("required")) return null;
    if (!declared(params)) {
      if (support.equals("required"))
        throw missingExtension("tools/call for \"" + tool.path("name").asText() + "\"");
      return null;
    }
    JsonNode responses = params.get("inputResponses");
    boolean inputFirst = tool.path("_meta").path(INPUT_FIRST).asBoolean(false);
    // Its questions are asked as ordinary round trips; the round that brings the answers starts
    // the task, whose call finds them already given.
    if (inputFirst && (responses == null || !responses.isObject())) return null;
    ObjectNode forWorker = Json.object().setAll(params);
    forWorker.remove("inputResponses");
    forWorker.remove("requestState");
    TaskRecord task =
        engine.start(owner(principal.get()), forWorker, idempotent(tool), responses, null);
    ObjectNode result = Json.object();
    result.put("resultType", "task");
    envelope(result, task);
    return result;
  }

  /** {@code tasks/get}, {@code tasks/update} and {@code tasks/cancel}; throws CallFailed. */
  public ObjectNode handle(String method, ObjectNode params, String principal) {
    if (!declared(params)) throw missingExtension(method);
    JsonNode id = params.get("taskId");
    if (id == null || !id.isTextual()) {
      throw new CallFailed(
          RpcError.invalidParams(
              method + " needs params.taskId, a string from a CreateTaskResult"));
    }
    String owner = owner(principal);
    ObjectNode ack = Json.object().put("resultType", "complete");
    switch (method) {
      case "tasks/get" -> {
        TaskRecord t = engine.get(owner, id.asText());
        if (t == null) throw notFound(id.asText());
        ObjectNode result = Json.object().put("resultType", "complete");
        envelope(result, t);
        if (t.statusMessage() != null) result.put("statusMessage", t.statusMessage());
        switch (t.status()) {
          case TaskRecord.COMPLETED -> result.set("result", t.result());
          case TaskRecord.FAILED -> result.set("error", t.error());
          case TaskRecord.INPUT_REQUIRED -> {
            ObjectNode requests = engine.inputRequests(t.id());
            if (!requests.isEmpty()) result.set("inputRequests", requests);
            // All answered, the runner (perhaps another replica) not yet resumed: no question
            // left to show, so not input_required.
            else result.put("status", TaskRecord.WORKING);
          }
          default -> {}
        }
        return result;
      }
      case "tasks/update" -> {
        JsonNode responses = params.get("inputResponses");
        if (responses != null && !responses.isObject()) {
          throw new CallFailed(
              RpcError.invalidParams(
                  "tasks/update params.inputResponses must be an object keyed like inputRequests"));
        }
        Map<String, String> refused = engine.update(owner, id.asText(), responses);
        if (refused == null) throw notFound(id.asText());
        // Unknown keys are ignored, as MRTR says a server SHOULD; the ack says which and why.
        if (!refused.isEmpty()) {
          ObjectNode ignored = ack.putObject("_meta").putObject(IGNORED);
          refused.forEach((key, why) -> ignored.put(key, ignoredBecause(key, why)));
        }
        return ack;
      }
      case "tasks/cancel" -> {
        if (!engine.cancel(owner, id.asText())) throw notFound(id.asText());
        return ack;
      }
      default -> throw new CallFailed(RpcError.methodNotFound(method));
    }
  }

  private void envelope(ObjectNode result, TaskRecord t) {
    result.put("taskId", t.id());
    result.put("status", t.status());
    result.put("createdAt", Instant.ofEpochMilli(t.createdAt()).toString());
    result.put("lastUpdatedAt", Instant.ofEpochMilli(t.updatedAt()).toString());
    result.put("ttlMs", t.ttlMs());
    result.put("pollIntervalMs", engine.settings().pollIntervalMs());
  }

  /** Where a tasks/update ack says which answers it did not take. */
  static final String IGNORED = "tandem/ignoredResponses";

  private static String ignoredBecause(String key, String why) {
    return switch (why) {
      case TaskStore.ANSWERED ->
          "ignored: question \"" + key + "\" was answered already; an answer is taken once";
      case TaskStore.NOT_ASKED ->
          "ignored: the task has no open question \"" + key + "\" (see inputRequests in tasks/get)";
      default ->
          "ignored: the answer to \""
              + key
              + "\" is not an object (an ElicitResult, CreateMessageResult or ListRootsResult)";
    };
  }

  static boolean idempotent(JsonNode tool) {
    JsonNode annotations = tool.path("annotations");
    return annotations.path("idempotentHint").asBoolean(false)
        || annotations.path("readOnlyHint").asBoolean(false);
  }

  private static boolean declared(ObjectNode params) {
    return params
        .path("_meta")
        .path(ModernEra.CLIENT_CAPABILITIES)
        .path("extensions")
        .has(EXTENSION);
  }

  static String owner(String principal) {
    return "principal:" + principal;
  }

  private static CallFailed notFound(String id) {
    return new CallFailed(
        RpcError.invalidParams(
            "no task \""
                + id
                + "\" for this client: it never existed, belongs to another client, or expired after its ttlMs"));
  }

  private static CallFailed missingExtension(String what) {
    ObjectNode data = Json.object();
    data.putObject("requiredCapabilities").putObject("extensions").putObject(EXTENSION);
    return new CallFailed(
        new RpcError(
            ModernEra.MISSING_REQUIRED_CLIENT_CAPABILITY,
            what
                + " needs the client capability extensions[\""
                + EXTENSION
                + "\"], which this request did not declare",
            data));
  }
}
