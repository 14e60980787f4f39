package dev.tandem.supervisor.tasks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.protocol.Json;
import dev.tandem.supervisor.router.HostLink;
import dev.tandem.supervisor.router.RoutedCall;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * A task while its call runs, as the router sees its host: progress becomes the task's status
 * message; a question (elicitation, sampling, roots) is parked under a key, here and in the store
 * (where every replica shows it and takes its answer), until {@code tasks/update} answers it and
 * the engine brings the answer here; the task is {@code input_required} while any is open. A
 * session-era host can be asked directly ({@code relay}); the task is {@code input_required} while
 * it answers.
 */
final class RunningTask implements HostLink {

  /** The tandem runtime's own name for a question (session/HostCapabilities.INPUT_KEY). */
  private static final String INPUT_KEY = "tandem/inputKey";

  private record Question(String method, ObjectNode params, CompletableFuture<JsonNode> answer) {}

  private final TaskEngine engine;
  private final String id;
  private final HostLink relay;
  private final Map<String, JsonNode> prefilled = new LinkedHashMap<>();
  private final Map<String, Question> open = new LinkedHashMap<>();
  private final CompletableFuture<TaskRecord> end = new CompletableFuture<>();
  private final List<Consumer<TaskRecord>> observers = new CopyOnWriteArrayList<>();
  private int asked;
  private int relayed;
  private RoutedCall call;

  RunningTask(TaskEngine engine, String id, JsonNode prefill, HostLink relay) {
    this.engine = engine;
    this.id = id;
    this.relay = relay;
    if (prefill != null && prefill.isObject()) {
      prefill
          .fields()
          .forEachRemaining(
              e -> {
                if (e.getValue().isObject()) prefilled.put(e.getKey(), e.getValue());
              });
    }
  }

  synchronized void attach(RoutedCall call) {
    this.call = call;
  }

  @Override
  public void progress(ObjectNode params) {
    JsonNode message = params.get("message");
    String text;
    if (message != null && message.isTextual()) {
      text = message.asText();
    } else if (params.has("total")) {
      text = params.path("progress").asText() + " of " + params.path("total").asText();
    } else {
      text = "progress " + params.path("progress").asText();
    }
    engine.status(id, currentStatus(), text);
  }

  @Override
  public void log(ObjectNode params) {
    // A task has no stream to log to; its status message carries progress.
  }

  @Override
  public CompletableFuture<JsonNode> request(String method, ObjectNode params) {
    ObjectNode forHost = params.deepCopy();
    String key = null;
    if (forHost.get("_meta") instanceof ObjectNode meta && meta.has(INPUT_KEY)) {
      key = meta.path(INPUT_KEY).asText(null);
      meta.remove(INPUT_KEY);
      if (meta.isEmpty()) forHost.remove("_meta");
    }
    if (relay != null) {
      synchronized (this) {
        relayed++;
      }
      engine.status(id, TaskRecord.INPUT_REQUIRED, "waiting for the client to answer " + method);
      ObjectNode related = Json.object().put("taskId", id);
      return relay
          .request(method, Json.withMeta(forHost, LegacyTasks.RELATED_TASK, related))
          .whenComplete(
              (r, f) -> {
                boolean none;
                synchronized (this) {
                  none = --relayed == 0 && open.isEmpty();
                }
                if (none) engine.status(id, TaskRecord.WORKING, null);
              });
    }
    Question q;
    String parked;
    synchronized (this) {
      JsonNode given = key == null ? null : prefilled.remove(key);
      if (given != null) return CompletableFuture.completedFuture(given);
      String k =
          key != null && !key.isEmpty() && !open.containsKey(key) ? key : "input-" + (++asked);
      q = new Question(method, forHost, new CompletableFuture<>());
      open.put(k, q);
      parked = k;
    }
    // In the store before the status says so: a tasks/get that sees input_required, on any
    // replica, sees the question too.
    engine.ask(id, parked, Json.object().put("method", method).set("params", forHost));
    engine.status(id, TaskRecord.INPUT_REQUIRED, "waiting for the client to answer " + method);
    return q.answer();
  }

  /** Whether a question waits for an answer kept in the store (what the engine polls for). */
  synchronized boolean waiting() {
    return !open.isEmpty();
  }

  private synchronized String currentStatus() {
    return open.isEmpty() && relayed == 0 ? TaskRecord.WORKING : TaskRecord.INPUT_REQUIRED;
  }

  /**
   * Answers by key, as the engine took them from the store; a key not open here (the question was
   * withdrawn), or an answer that is not an object, is ignored.
   */
  void answer(JsonNode responses) {
    List<Runnable> resumes = new ArrayList<>();
    boolean allAnswered;
    synchronized (this) {
      if (responses == null || !responses.isObject()) return;
      for (var it = open.entrySet().iterator(); it.hasNext(); ) {
        var e = it.next();
        JsonNode response = responses.get(e.getKey());
        if (response != null && response.isObject()) {
          it.remove();
          Question q = e.getValue();
          resumes.add(() -> q.answer().complete(response));
        }
      }
      allAnswered = !resumes.isEmpty() && open.isEmpty() && relayed == 0;
    }
    // The status first: a tasks/get after this ack must not see input_required for answered keys.
    if (allAnswered) engine.status(id, TaskRecord.WORKING, null);
    resumes.forEach(Runnable::run);
  }

  void cancel(String reason) {
    RoutedCall c;
    synchronized (this) {
      c = call;
    }
    closeQuestions();
    if (c != null) c.cancel(reason);
  }

  void closeQuestions() {
    List<Question> left;
    synchronized (this) {
      left = new ArrayList<>(open.values());
      open.clear();
    }
    for (Question q : left)
      q.answer().completeExceptionally(new CancellationException("task ended"));
  }

  void observe(Consumer<TaskRecord> observer) {
    observers.add(observer);
  }

  void changed(TaskRecord now) {
    for (Consumer<TaskRecord> o : observers) o.accept(now);
  }

  void ended(TaskRecord now) {
    changed(now);
    end.complete(now);
  }

  CompletableFuture<TaskRecord> end() {
    return end;
  }
}
