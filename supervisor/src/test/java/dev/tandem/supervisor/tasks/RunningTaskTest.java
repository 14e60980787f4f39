package dev.tandem.supervisor.tasks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.protocol.Json;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** A running task's questions: parked by key, answered in parts, and what the status says. */
class RunningTaskTest {

  private final MvTaskStore store = MvTaskStore.inMemory(10);
  private final TaskEngine engine =
      new TaskEngine(null, () -> store, () -> true, TaskEngine.Settings.DEFAULTS, () -> 1_000);

  private RunningTask running(String id, JsonNode prefill) {
    store.create(
        MvTaskStoreTest.task(id, "o", TaskRecord.WORKING, 0).claimedBy(engine.runner(), 0));
    return new RunningTask(engine, id, prefill, null);
  }

  private static ObjectNode question(String key) {
    ObjectNode params = Json.object().put("message", "name?");
    params.putObject("_meta").put("tandem/inputKey", key);
    return params;
  }

  private static ObjectNode accept(String name) {
    ObjectNode r = Json.object().put("action", "accept");
    r.putObject("content").put("name", name);
    return r;
  }

  @Test
  void twoQuestionsAnsweredOneAtATime() {
    RunningTask task = running("t", null);
    CompletableFuture<JsonNode> first = task.request("elicitation/create", question("first"));
    CompletableFuture<JsonNode> second = task.request("elicitation/create", question("second"));
    assertEquals(TaskRecord.INPUT_REQUIRED, store.get("t").status());
    assertEquals(List.of("first", "second"), keys(store.questions("t")));
    assertEquals("elicitation/create", store.questions("t").path("first").path("method").asText());
    assertFalse(
        store.questions("t").path("first").path("params").has("_meta"),
        "tandem's key is not shown to the host");

    assertTrue(store.answer("t", Json.object().set("first", accept("a"))).isEmpty());
    task.answer(store.takeAnswers("t"));
    assertEquals("a", first.join().path("content").path("name").asText());
    assertFalse(second.isDone());
    assertEquals(List.of("second"), keys(store.questions("t")));
    assertEquals(TaskRecord.INPUT_REQUIRED, store.get("t").status());

    store.answer("t", Json.object().set("second", accept("b")));
    task.answer(store.takeAnswers("t"));
    assertTrue(second.isDone());
    assertEquals(TaskRecord.WORKING, store.get("t").status());
  }

  @Test
  void unknownKeysAndNonObjectAnswersAreIgnored() {
    RunningTask task = running("t", null);
    CompletableFuture<JsonNode> asked = task.request("elicitation/create", question("k"));
    ObjectNode responses = Json.object().put("k", "not an object");
    responses.set("other", accept("x"));
    task.answer(responses);
    assertFalse(asked.isDone());
    assertTrue(task.waiting());
  }

  @Test
  void aPrefilledAnswerIsGivenWithoutAsking() {
    RunningTask task = running("t", Json.object().set("user_name", accept("Alice")));
    JsonNode answer = task.request("elicitation/create", question("user_name")).join();
    assertEquals("Alice", answer.path("content").path("name").asText());
    assertEquals(TaskRecord.WORKING, store.get("t").status());
  }

  @Test
  void progressBecomesTheStatusMessage() {
    RunningTask task = running("t", null);
    task.progress(Json.object().put("progress", 3).put("total", 10).put("message", "chapter 3"));
    assertEquals("chapter 3", store.get("t").statusMessage());
    task.progress(Json.object().put("progress", 4).put("total", 10));
    assertEquals("4 of 10", store.get("t").statusMessage());
  }

  @Test
  void endingTheTaskFailsItsOpenQuestions() {
    RunningTask task = running("t", null);
    CompletableFuture<JsonNode> asked = task.request("elicitation/create", question("k"));
    task.closeQuestions();
    assertTrue(asked.isCompletedExceptionally());
  }

  private static List<String> keys(ObjectNode o) {
    List<String> out = new java.util.ArrayList<>();
    o.fieldNames().forEachRemaining(out::add);
    return out;
  }
}
