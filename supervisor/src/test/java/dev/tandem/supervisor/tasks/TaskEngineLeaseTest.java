package dev.tandem.supervisor.tasks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tandem.protocol.Json;
import dev.tandem.supervisor.router.CallFailed;
import org.junit.jupiter.api.Test;

/** The engine beside a live replica in one store: it leaves that replica's tasks alone. */
class TaskEngineLeaseTest {

  private final MvTaskStore store = MvTaskStore.inMemory(10);
  private final TaskEngine engine =
      new TaskEngine(null, () -> store, () -> true, TaskEngine.Settings.DEFAULTS, () -> 1_000);

  @Test
  void aLiveReplicasTaskIsNotTakenOverAndItsQuestionsAreNotAnsweredHere() {
    store.heartbeat("other-replica", 1_000, 600_000);
    store.create(
        TaskStoreContract.task("t", "o", TaskRecord.INPUT_REQUIRED, 1_000)
            .claimedBy("other-replica", 1_000));
    engine.start(); // opens the store and beats: a live lease, nothing to take over
    assertEquals("other-replica", store.get("t").runner());
    assertEquals(TaskRecord.INPUT_REQUIRED, store.get("t").status());

    CallFailed refused =
        assertThrows(
            CallFailed.class, () -> engine.update("o", "t", Json.object().set("k", Json.object())));
    String message = CallFailed.errorOf(refused).message();
    assertTrue(message.contains("another tandem replica"), message);
    engine.close();
  }
}
