package dev.tandem.supervisor.tasks;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.protocol.Json;
import dev.tandem.protocol.RpcError;
import dev.tandem.supervisor.log.Log;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * The engine's lease on its tasks in the store: each heartbeat renews it and claims the tasks of a
 * daemon whose lease expired (this one's predecessor, or a replica that died), which then run again
 * (an idempotent tool) or end failed (any other), so none stays working; and a task of ours that
 * another replica cancelled or took over stops running here.
 */
final class TaskLease {

  private final TaskEngine engine;
  private final Map<String, RunningTask> running;
  private final LongSupplier clock;
  private final long leaseMs;

  TaskLease(TaskEngine engine, Map<String, RunningTask> running, LongSupplier clock, long leaseMs) {
    this.engine = engine;
    this.running = running;
    this.clock = clock;
    this.leaseMs = leaseMs;
  }

  void heartbeat(TaskStore s) {
    try {
      takeOver(s, s.heartbeat(engine.runner(), clock.getAsLong(), leaseMs));
      // A task of ours that another replica cancelled (or took over) stops running here.
      for (String id : List.copyOf(running.keySet())) {
        TaskRecord t = s.get(id);
        if (t != null && (t.terminal() || !engine.runner().equals(t.runner()))) {
          RunningTask live = running.remove(id);
          if (live != null) {
            live.cancel("the task was cancelled");
            if (t.terminal()) live.ended(t);
          }
        }
      }
    } catch (RuntimeException e) {
      Log.warn("renewing the tasks' lease failed: " + e.getMessage());
    }
  }

  /** Runs again or fails the tasks claimed from a daemon that stopped. */
  void takeOver(TaskStore store, List<TaskRecord> orphans) {
    for (TaskRecord t : orphans) {
      if (t.idempotent() && t.arguments() != null) {
        Log.info(
            "task "
                + TaskEngine.shortId(t.id())
                + " ("
                + t.tool()
                + ") was running when the tandem running it stopped; running it again (the tool is idempotent)");
        TaskRecord again =
            t.withStatus(
                TaskRecord.WORKING,
                "running again: the tandem that ran it stopped",
                clock.getAsLong());
        store.put(again);
        ObjectNode params = Json.object().put("name", t.tool());
        params.set("arguments", t.arguments());
        engine.run(again, params, null, null);
      } else {
        String why =
            "tandem stopped while this task was running; tool \""
                + t.tool()
                + "\" is not declared idempotent (idempotentHint), so it was not run again. Call it again if that is safe.";
        store.put(
            t.ended(
                TaskRecord.FAILED,
                why,
                null,
                TaskEngine.errorJson(RpcError.internal(why)),
                clock.getAsLong()));
      }
    }
  }
}
