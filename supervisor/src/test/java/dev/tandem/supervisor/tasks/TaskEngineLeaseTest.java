package dev.tandem.supervisor.tasks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tandem.protocol.Json;
import dev.tandem.supervisor.router.CallFailed;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The engine beside a live replica in one store: it leaves that replica's tasks alone, shows their
 * questions and keeps their answers in the store for it, saying which it did not take and why.
 */
class TaskEngineLeaseTest {

  private final MvTaskStore store = MvTaskStore.inMemory(10);
  private final TaskEngine engine =
      new TaskEngine(null, () -> store, () -> true, TaskEngine.Settings.DEFAULTS, () -> 1_000);

  @Test
  void aLiveReplicasTaskIsNotTakenOverAndItsQuestionsAreShownAndAnsweredThroughTheStore() {
    store.heartbeat("other-replica", 1_000, 600_000);
    store.create(
        TaskStoreContract.task("t", "o", TaskRecord.INPUT_REQUIRED, 1_000)
            .claimedBy("other-replica", 1_000));
    engine.start(); // opens the store and beats: a live lease, nothing to take over
    assertEquals("other-replica", store.get("t").runner());
    assertEquals(TaskRecord.INPUT_REQUIRED, store.get("t").status());

    // Its questions are in the store: this replica shows them and keeps the answer for it.
    store.ask("t", "k", Json.object().put("method", "elicitation/create"));
    assertEquals(List.of("k"), keys(engine.inputRequests("t")));
    assertEquals(Map.of(), engine.update("o", "t", Json.object().set("k", Json.object())));
    assertEquals(List.of(), keys(engine.inputRequests("t")), "answered: no longer shown");
    assertEquals(
        Map.of(
            "k", TaskStore.ANSWERED, "other", TaskStore.NOT_ASKED, "bad", TaskAnswers.NOT_A_RESULT),
        engine.update(
            "o",
            "t",
            Json.object()
                .<com.fasterxml.jackson.databind.node.ObjectNode>set("k", Json.object())
                .<com.fasterxml.jackson.databind.node.ObjectNode>set("other", Json.object())
                .put("bad", 3)));
    assertEquals(List.of("k"), keys(store.takeAnswers("t")), "what the running replica takes");
    assertEquals(
        Map.of("k", TaskStore.ANSWERED),
        engine.update("o", "t", Json.object().set("k", Json.object())),
        "taken already");
    assertNull(engine.update("someone-else", "t", Json.object()), "another owner's: not found");

    // Once it ended, an answer is an error that says so.
    store.put(store.get("t").ended(TaskRecord.COMPLETED, null, Json.object(), null, 2_000));
    CallFailed refused =
        assertThrows(
            CallFailed.class, () -> engine.update("o", "t", Json.object().set("k", Json.object())));
    String message = CallFailed.errorOf(refused).message();
    assertTrue(message.contains("has ended (completed)"), message);
    engine.close();
  }

  private static List<String> keys(com.fasterxml.jackson.databind.JsonNode o) {
    List<String> out = new ArrayList<>();
    o.fieldNames().forEachRemaining(out::add);
    return out;
  }
}
