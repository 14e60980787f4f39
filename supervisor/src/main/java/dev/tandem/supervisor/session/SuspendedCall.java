package dev.tandem.supervisor.session;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.protocol.Json;
import dev.tandem.supervisor.router.RoutedCall;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A call from a 2026-07-28 host whose Python code asked the host something (sampling, elicitation,
 * roots). That revision has no server-to-client requests: the host's request is answered {@code
 * input_required}, the worker keeps waiting, and the host's retry brings the answers, which are fed
 * to the waiting worker. The worker wire never learns the difference.
 *
 * <p>Each host request in the exchange is one "turn": it ends with either the call's final answer
 * or the questions still open. Questions that arrive together (asyncio.gather in a tool) are
 * gathered for {@link #GATHER_MS} so they leave in one InputRequiredResult, not one per round trip.
 */
final class SuspendedCall {

  static final long GATHER_MS = 30;

  /** What ends a turn: the call's answer (or failure), or the open questions. */
  sealed interface Turn permits Turn.Done, Turn.NeedsInput {
    record Done(JsonNode result, Throwable failure) implements Turn {}

    record NeedsInput(ObjectNode inputRequests) implements Turn {}
  }

  private record Question(
      String key, String method, ObjectNode params, CompletableFuture<JsonNode> answer) {}

  /**
   * Its name in a requestState, given when the first questions go out ({@link
   * SuspendedCalls#register}): a call that never asks anything, nearly every one, is never
   * registered.
   */
  volatile String handle;

  /** Closed by {@link SuspendedCalls#close}; a registration racing with it undoes itself. */
  volatile boolean closed;

  private final Map<String, Question> open = new LinkedHashMap<>();
  private RoutedCall call;
  private Turn.Done done;
  private CompletableFuture<Turn> turn = new CompletableFuture<>();
  private int round;

  /** Answers a client sent before being asked (a first request with inputResponses). */
  private final Map<String, JsonNode> prefilled = new LinkedHashMap<>();

  /**
   * Every answer the worker has been given so far, by key: what the next requestState carries, so
   * another replica can replay the call (RequestState).
   */
  private final ObjectNode answered = Json.object();

  private volatile ModernRequest host;
  private int asked;
  private boolean gathering;

  SuspendedCall(String handle) {
    this.handle = handle;
  }

  /** The host request this call answers now; each retry takes over from the one before. */
  void host(ModernRequest request) {
    this.host = request;
  }

  ModernRequest host() {
    return host;
  }

  void attach(RoutedCall routed) {
    boolean abandoned;
    synchronized (this) {
      this.call = routed;
      abandoned = done != null;
    }
    if (abandoned) routed.cancel("tandem: the request was answered before its call started");
    routed.answer().whenComplete((result, failure) -> finish(new Turn.Done(result, failure)));
  }

  /**
   * Ends the exchange with an error for the host (the call needs something this host cannot give)
   * and stops the call on the worker.
   */
  void abort(Throwable failure, String reason) {
    CompletableFuture<Turn> current;
    RoutedCall c;
    Turn.Done outcome = new Turn.Done(null, failure);
    synchronized (this) {
      if (done != null) return;
      done = outcome;
      current = turn;
      c = call;
    }
    current.complete(outcome);
    if (c != null) c.cancel(reason);
  }

  private void finish(Turn.Done outcome) {
    CompletableFuture<Turn> current;
    synchronized (this) {
      if (done != null) return; // aborted first: that answer stands
      done = outcome;
      current = turn;
    }
    current.complete(outcome);
  }

  /**
   * Answers that came with the first request, before any question: a question asked under one of
   * their keys is answered at once (MRTR lets a client retry with inputResponses alone). What is
   * not an object cannot be a result and is ignored, so the question is asked.
   */
  synchronized void prefill(JsonNode inputResponses) {
    if (inputResponses == null || !inputResponses.isObject()) return;
    inputResponses
        .fields()
        .forEachRemaining(
            e -> {
              if (e.getValue().isObject()) prefilled.put(e.getKey(), e.getValue());
            });
  }

  /**
   * A question from the worker. {@code preferredKey} is the tool's own name for it (the tandem
   * runtime passes it), so a host can be told "user_name" rather than a number.
   */
  CompletableFuture<JsonNode> ask(String method, ObjectNode params, String preferredKey) {
    Question q;
    boolean startGathering;
    synchronized (this) {
      JsonNode given = preferredKey == null ? null : prefilled.remove(preferredKey);
      if (given != null) {
        answered.set(preferredKey, given);
        return CompletableFuture.completedFuture(given);
      }
      String key =
          preferredKey != null && !preferredKey.isEmpty() && !open.containsKey(preferredKey)
              ? preferredKey
              : "input-" + (++asked);
      // A replayed call asks its unnamed questions in the same order: their numbers match.
      given = prefilled.remove(key);
      if (given != null) {
        answered.set(key, given);
        return CompletableFuture.completedFuture(given);
      }
      q = new Question(key, method, params, new CompletableFuture<>());
      open.put(key, q);
      startGathering = !gathering && !turn.isDone();
      if (startGathering) gathering = true;
    }
    if (startGathering) {
      CompletableFuture.runAsync(
          this::askNow, CompletableFuture.delayedExecutor(GATHER_MS, TimeUnit.MILLISECONDS));
    }
    return q.answer;
  }

  private void askNow() {
    CompletableFuture<Turn> current;
    Turn.NeedsInput needs;
    synchronized (this) {
      gathering = false;
      if (open.isEmpty() || done != null) return;
      current = turn;
      needs = new Turn.NeedsInput(inputRequests());
    }
    current.complete(needs);
  }

  private ObjectNode inputRequests() {
    ObjectNode requests = Json.object();
    for (Question q : open.values()) {
      ObjectNode r = requests.putObject(q.key());
      r.put("method", q.method());
      r.set("params", q.params());
    }
    return requests;
  }

  /** The turn the first host request waits on. */
  synchronized CompletableFuture<Turn> firstTurn() {
    return turn;
  }

  synchronized int round() {
    return round;
  }

  /** A copy of the answers given so far, for the requestState of the next turn. */
  synchronized ObjectNode answered() {
    return answered.deepCopy();
  }

  /**
   * A retry with the host's answers: answered questions resume the worker; the next turn ends with
   * the final answer, new questions, or at once with the ones still unanswered.
   */
  CompletableFuture<Turn> resume(JsonNode inputResponses) {
    List<Runnable> resumes = new ArrayList<>();
    CompletableFuture<Turn> next;
    boolean askAgain;
    synchronized (this) {
      round++;
      next = new CompletableFuture<>();
      turn = next;
      for (var it = open.entrySet().iterator(); it.hasNext(); ) {
        var e = it.next();
        JsonNode response = inputResponses == null ? null : inputResponses.get(e.getKey());
        if (response != null && response.isObject()) {
          Question q = e.getValue();
          it.remove();
          answered.set(e.getKey(), response);
          resumes.add(() -> q.answer().complete(response));
        }
      }
      if (done != null) next.complete(done);
      // Questions left unanswered are asked again (MRTR "Error Handling": re-request, do not
      // fail), together with any the resumed code asks next.
      askAgain = done == null && !open.isEmpty() && !gathering;
      if (askAgain) gathering = true;
    }
    resumes.forEach(Runnable::run);
    if (askAgain) {
      CompletableFuture.runAsync(
          this::askNow, CompletableFuture.delayedExecutor(GATHER_MS, TimeUnit.MILLISECONDS));
    }
    return next;
  }

  void cancel(String reason) {
    RoutedCall c;
    synchronized (this) {
      c = call;
    }
    if (c != null) c.cancel(reason);
  }
}
