package dev.tandem.supervisor.tasks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.protocol.Json;
import dev.tandem.protocol.RpcError;
import dev.tandem.supervisor.log.Log;
import dev.tandem.supervisor.router.CallFailed;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Answers to running tasks' questions, across replicas: {@code tasks/update} keeps them in the
 * store, whichever replica it reaches, and the replica running the task takes them: at once when
 * that is the one answered, else by polling the store every {@link #POLL_MS} for each of its tasks
 * that waits on a question. Polling rather than Redis pub/sub: no second connection and thread to
 * keep alive per daemon, no message lost while one reconnects (pub/sub delivers at most once, so it
 * would need this poll behind it anyway), and a person answering does not notice 200 ms.
 */
final class TaskAnswers {

  /** Why an answer was not taken: a response must be an object (ElicitResult and the like). */
  static final String NOT_A_RESULT = "not an object";

  /** Well under what a person takes to answer; one store round trip per waiting task. */
  static final long POLL_MS = 200;

  private final Map<String, RunningTask> running;

  TaskAnswers(Map<String, RunningTask> running) {
    this.running = running;
  }

  /**
   * Keeps {@code responses} for task {@code t}'s runner and, when it runs here, delivers them now.
   * Returns the keys not taken, each with why ({@link TaskStore#NOT_ASKED}, {@link
   * TaskStore#ANSWERED}, {@link #NOT_A_RESULT}). Throws CallFailed when the task has ended.
   */
  Map<String, String> update(TaskStore store, TaskRecord t, JsonNode responses) {
    Map<String, String> refused = new LinkedHashMap<>();
    if (responses == null || responses.isEmpty()) return refused;
    if (t.terminal()) throw ended(t);
    ObjectNode given = Json.object();
    responses
        .fields()
        .forEachRemaining(
            e -> {
              if (e.getValue().isObject()) given.set(e.getKey(), e.getValue());
              else refused.put(e.getKey(), NOT_A_RESULT);
            });
    if (!given.isEmpty()) refused.putAll(store.answer(t.id(), given));
    if (refused.size() == responses.size()) {
      // None taken, perhaps because the task ended meanwhile: that says more than "not asked".
      TaskRecord now = store.get(t.id());
      if (now != null && now.terminal()) throw ended(now);
    }
    RunningTask live = running.get(t.id());
    if (live != null) deliver(store, t.id(), live);
    return refused;
  }

  /** The answers given anywhere to the questions of the tasks running here. */
  void poll(TaskStore store) {
    for (Map.Entry<String, RunningTask> e : running.entrySet()) {
      if (!e.getValue().waiting()) continue;
      try {
        deliver(store, e.getKey(), e.getValue());
      } catch (RuntimeException ex) {
        // The store is away: the next poll tries again; the answers wait in it.
        Log.warn(
            "taking the answers of task "
                + TaskEngine.shortId(e.getKey())
                + " failed: "
                + ex.getMessage());
        return;
      }
    }
  }

  private static void deliver(TaskStore store, String id, RunningTask live) {
    ObjectNode taken = store.takeAnswers(id);
    if (!taken.isEmpty()) live.answer(taken);
  }

  private static CallFailed ended(TaskRecord t) {
    return new CallFailed(
        RpcError.invalidParams(
            "task \""
                + t.id()
                + "\" has ended ("
                + t.status()
                + "); it takes no more answers. Its outcome is in tasks/get."));
  }
}
