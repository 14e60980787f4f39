package dev.tandem.supervisor.tasks;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.protocol.Json;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;

/**
 * One task as the store keeps it. {@code arguments} are kept only while an idempotent task runs (so
 * a restarted daemon can run it again) and dropped when it ends; {@code result} or {@code error}
 * only once it has ended. Immutable: every change is a new record written whole.
 */
public record TaskRecord(
    String id,
    String owner,
    String tool,
    String argumentsDigest,
    ObjectNode arguments,
    boolean idempotent,
    String status,
    String statusMessage,
    JsonNode result,
    JsonNode error,
    long createdAt,
    long updatedAt,
    long ttlMs,
    String runner) {

  public static final String WORKING = "working";
  public static final String INPUT_REQUIRED = "input_required";
  public static final String COMPLETED = "completed";
  public static final String FAILED = "failed";
  public static final String CANCELLED = "cancelled";

  /** At most {@code limit} of {@code tasks}, the most recently changed first. */
  static List<TaskRecord> newestFirst(List<TaskRecord> tasks, int limit) {
    return tasks.stream()
        .sorted(Comparator.comparingLong(TaskRecord::updatedAt).reversed())
        .limit(Math.max(0, limit))
        .toList();
  }

  /**
   * What an operator may see of a task: never its arguments, result, error or status message (a
   * tool's own words), nor its whole id, which with its owner's credential would fetch the result.
   */
  public ObjectNode adminView() {
    ObjectNode o = Json.object();
    o.put("taskId", id.substring(0, Math.min(8, id.length())) + "…");
    o.put("tool", tool);
    o.put("status", status);
    o.put("owner", owner.contains(":") ? owner.substring(0, owner.indexOf(':')) : "principal");
    o.put("idempotent", idempotent);
    o.put("createdAt", Instant.ofEpochMilli(createdAt).toString());
    o.put("updatedAt", Instant.ofEpochMilli(updatedAt).toString());
    if (runner != null) o.put("runner", runner);
    return o;
  }

  public boolean terminal() {
    return isTerminal(status);
  }

  public static boolean isTerminal(String status) {
    return COMPLETED.equals(status) || FAILED.equals(status) || CANCELLED.equals(status);
  }

  /** When the store may forget it: its ttl after it ended (a running task is never purged). */
  public boolean expired(long now) {
    return terminal() && updatedAt + ttlMs <= now;
  }

  public TaskRecord withStatus(String newStatus, String message, long now) {
    return new TaskRecord(
        id,
        owner,
        tool,
        argumentsDigest,
        arguments,
        idempotent,
        newStatus,
        message,
        result,
        error,
        createdAt,
        now,
        ttlMs,
        runner);
  }

  /** The task's end: its result or error, and its arguments forgotten. */
  public TaskRecord ended(String newStatus, String message, JsonNode res, JsonNode err, long now) {
    return new TaskRecord(
        id,
        owner,
        tool,
        argumentsDigest,
        null,
        idempotent,
        newStatus,
        message,
        res,
        err,
        createdAt,
        now,
        ttlMs,
        runner);
  }

  public TaskRecord claimedBy(String newRunner, long now) {
    return new TaskRecord(
        id,
        owner,
        tool,
        argumentsDigest,
        arguments,
        idempotent,
        status,
        statusMessage,
        result,
        error,
        createdAt,
        now,
        ttlMs,
        newRunner);
  }

  /** The record as one JSON text, as both stores keep it. */
  static String encode(TaskRecord task) {
    try {
      return Json.MAPPER.writeValueAsString(task.toJson());
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  static TaskRecord decode(String json) {
    try {
      return fromJson(Json.MAPPER.readTree(json));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a task record in the store is not JSON: " + e, e);
    }
  }

  public ObjectNode toJson() {
    ObjectNode o = Json.object();
    o.put("id", id).put("owner", owner).put("tool", tool).put("argumentsDigest", argumentsDigest);
    if (arguments != null) o.set("arguments", arguments);
    o.put("idempotent", idempotent).put("status", status);
    if (statusMessage != null) o.put("statusMessage", statusMessage);
    if (result != null) o.set("result", result);
    if (error != null) o.set("error", error);
    o.put("createdAt", createdAt).put("updatedAt", updatedAt).put("ttlMs", ttlMs);
    if (runner != null) o.put("runner", runner);
    return o;
  }

  public static TaskRecord fromJson(JsonNode o) {
    return new TaskRecord(
        o.path("id").asText(),
        o.path("owner").asText(),
        o.path("tool").asText(),
        o.path("argumentsDigest").asText(),
        o.get("arguments") instanceof ObjectNode a ? a : null,
        o.path("idempotent").asBoolean(false),
        o.path("status").asText(),
        o.path("statusMessage").asText(null),
        o.get("result"),
        o.get("error"),
        o.path("createdAt").asLong(),
        o.path("updatedAt").asLong(),
        o.path("ttlMs").asLong(),
        o.path("runner").asText(null));
  }
}
