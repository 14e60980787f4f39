package dev.tandem.supervisor.tasks;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.protocol.Json;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * What every {@link TaskStore} promises, run against each: who sees what, the bound, expiry, and
 * the lease: a live runner's tasks stay its own, a dead one's are claimed once, by one runner.
 */
abstract class TaskStoreContract {

  static final long LONG_LEASE = 600_000;

  /** An empty store holding at most {@code maxTasks}; closed by the test. */
  abstract TaskStore newStore(int maxTasks);

  /** The same store as another replica sees it: its own connection where there is one. */
  TaskStore peer(TaskStore store) {
    return store;
  }

  static TaskRecord task(String id, String owner, String status, long updatedAt) {
    return new TaskRecord(
        id,
        owner,
        "brew",
        "digest",
        Json.object().put("x", 1),
        true,
        status,
        null,
        null,
        null,
        updatedAt,
        updatedAt,
        60_000,
        "runner-a");
  }

  static long now() {
    return System.currentTimeMillis();
  }

  @Test
  void listsOnlyTheOwnersTasks() {
    try (TaskStore store = newStore(10)) {
      store.create(task("a1", "alice", TaskRecord.WORKING, now()));
      store.create(task("b1", "bob", TaskRecord.WORKING, now()));
      assertEquals(List.of("a1"), store.listByOwner("alice").stream().map(TaskRecord::id).toList());
    }
  }

  @Test
  void keepsAnEndedTasksResult() {
    try (TaskStore store = newStore(10)) {
      assertTrue(store.create(task("t1", "alice", TaskRecord.WORKING, now())));
      store.put(
          store
              .get("t1")
              .ended(TaskRecord.COMPLETED, null, Json.object().put("ok", true), null, now()));
      TaskRecord t = store.get("t1");
      assertEquals(TaskRecord.COMPLETED, t.status());
      assertTrue(t.result().path("ok").asBoolean());
      assertNull(t.arguments(), "an ended task forgets its arguments");
    }
  }

  @Test
  void refusesNewTasksWhenFull() {
    try (TaskStore store = newStore(2)) {
      assertTrue(store.create(task("1", "o", TaskRecord.WORKING, now())));
      assertTrue(store.create(task("2", "o", TaskRecord.WORKING, now())));
      assertFalse(store.create(task("3", "o", TaskRecord.WORKING, now())));
      assertNull(store.get("3"));
    }
  }

  @Test
  void purgesEndedTasksPastTheirTtlButNeverRunningOnes() {
    long now = now();
    try (TaskStore store = newStore(10)) {
      store.create(task("old", "o", TaskRecord.COMPLETED, now - 120_000));
      store.create(task("fresh", "o", TaskRecord.COMPLETED, now));
      store.create(task("running", "o", TaskRecord.WORKING, now - 120_000));
      assertEquals(1, store.purgeExpired(now));
      assertNull(store.get("old"));
      assertEquals(Map.of(TaskRecord.COMPLETED, 1, TaskRecord.WORKING, 1), store.countByStatus());
      assertEquals(
          List.of("fresh", "running"),
          store.listByOwner("o").stream().map(TaskRecord::id).sorted().toList());
    }
  }

  @Test
  void aLiveRunnersTasksStayItsOwnAndADeadOnesAreClaimedOnce() {
    try (TaskStore store = newStore(10)) {
      store.heartbeat("runner-a", now(), LONG_LEASE);
      store.create(task("w", "o", TaskRecord.WORKING, now()));
      store.create(task("i", "o", TaskRecord.INPUT_REQUIRED, now()));
      store.create(task("c", "o", TaskRecord.COMPLETED, now()));
      assertTrue(
          store.heartbeat("runner-b", now(), LONG_LEASE).isEmpty(),
          "runner-a's lease is live: its tasks stay its own");

      store.heartbeat("runner-a", now(), 1); // runner-a's last heartbeat: it dies
      List<TaskRecord> claimed = new ArrayList<>();
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> claimed.addAll(store.heartbeat("runner-b", now(), LONG_LEASE)));
      assertEquals(List.of("i", "w"), claimed.stream().map(TaskRecord::id).sorted().toList());
      assertTrue(claimed.stream().allMatch(t -> t.runner().equals("runner-b")));
      assertEquals("runner-b", store.get("w").runner());
      assertTrue(store.heartbeat("runner-b", now(), LONG_LEASE).isEmpty(), "claimed once");
      assertTrue(
          store.heartbeat("runner-c", now(), LONG_LEASE).isEmpty(),
          "runner-b holds them now, under its own lease");
    }
  }

  @Test
  void aRunnerThatLostATaskCannotOverwriteIt() {
    try (TaskStore store = newStore(10)) {
      store.heartbeat("runner-a", now(), 1);
      TaskRecord mine = task("w", "o", TaskRecord.WORKING, now());
      store.create(mine);
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> !store.heartbeat("runner-b", now(), LONG_LEASE).isEmpty());
      store.put(mine.ended(TaskRecord.COMPLETED, null, Json.object(), null, now()));
      TaskRecord t = store.get("w");
      assertEquals(TaskRecord.WORKING, t.status(), "runner-a's late answer is ignored");
      assertEquals("runner-b", t.runner());
      store.put(t.ended(TaskRecord.FAILED, "failed by b", null, null, now()));
      assertEquals(TaskRecord.FAILED, store.get("w").status(), "runner-b may end it");
    }
  }

  @Test
  void runnersClaimingAtOnceTakeEachTaskExactlyOnce() throws Exception {
    int tasks = 40;
    int runners = 4;
    try (TaskStore store = newStore(100)) {
      for (int i = 0; i < tasks; i++) store.create(task("t" + i, "o", TaskRecord.WORKING, now()));
      List<String> claimed = Collections.synchronizedList(new ArrayList<>());
      CountDownLatch go = new CountDownLatch(1);
      ExecutorService pool = Executors.newFixedThreadPool(runners);
      List<TaskStore> peers = new ArrayList<>();
      try {
        List<Future<?>> done = new ArrayList<>();
        for (int r = 0; r < runners; r++) {
          String runner = "runner-" + r;
          TaskStore replica = peer(store);
          if (replica != store) peers.add(replica);
          done.add(
              pool.submit(
                  () -> {
                    go.await();
                    for (TaskRecord t : replica.heartbeat(runner, now(), LONG_LEASE)) {
                      claimed.add(t.id());
                    }
                    return null;
                  }));
        }
        go.countDown();
        for (Future<?> f : done) f.get();
      } finally {
        pool.shutdownNow();
        peers.forEach(TaskStore::close);
      }
      assertEquals(tasks, claimed.size(), "no task claimed twice: " + claimed);
      assertEquals(tasks, claimed.stream().distinct().count());
    }
  }

  @Test
  void putIgnoresAPurgedTask() {
    try (TaskStore store = newStore(10)) {
      store.put(task("gone", "o", TaskRecord.WORKING, now()));
      assertNull(store.get("gone"));
    }
  }

  @Test
  void questionsAreSeenByPeersAnsweredOnceTakenOnceAndForgottenWhenTheTaskEnds() {
    try (TaskStore store = newStore(10)) {
      TaskStore other = peer(store);
      try {
        store.create(task("t", "o", TaskRecord.INPUT_REQUIRED, now()));
        store.ask("t", "name", Json.object().put("method", "elicitation/create"));
        store.ask("t", "age", Json.object().put("method", "elicitation/create"));
        assertEquals(List.of("age", "name"), fields(other.questions("t")));

        ObjectNode answers = Json.object();
        answers.putObject("name").put("action", "accept");
        answers.putObject("nope").put("action", "accept");
        assertEquals(Map.of("nope", TaskStore.NOT_ASKED), other.answer("t", answers));
        assertEquals(List.of("age"), fields(store.questions("t")), "answered: not shown");
        assertEquals(
            Map.of("name", TaskStore.ANSWERED),
            store.answer("t", Json.object().set("name", Json.object())),
            "kept for the runner: a second answer is refused");

        ObjectNode taken = store.takeAnswers("t");
        assertEquals(List.of("name"), fields(taken));
        assertEquals("accept", taken.path("name").path("action").asText());
        assertTrue(store.takeAnswers("t").isEmpty(), "taken once");
        assertEquals(
            Map.of("name", TaskStore.ANSWERED),
            other.answer("t", Json.object().set("name", Json.object())),
            "taken: still answered already");

        store.put(store.get("t").ended(TaskRecord.COMPLETED, null, Json.object(), null, now()));
        assertTrue(other.questions("t").isEmpty(), "an ended task has no questions");
        assertEquals(
            Map.of("age", TaskStore.NOT_ASKED),
            other.answer("t", Json.object().set("age", Json.object())));
        store.ask("t", "late", Json.object().put("method", "elicitation/create"));
        assertTrue(other.questions("t").isEmpty(), "an ended task asks nothing");
      } finally {
        if (other != store) other.close();
      }
    }
  }

  @Test
  void aClaimedTaskForgetsTheQuestionsOfItsDeadRunner() {
    try (TaskStore store = newStore(10)) {
      store.heartbeat("runner-a", now(), 1);
      store.create(task("t", "o", TaskRecord.INPUT_REQUIRED, now()));
      store.ask("t", "k", Json.object().put("method", "elicitation/create"));
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> !store.heartbeat("runner-b", now(), LONG_LEASE).isEmpty());
      assertTrue(store.questions("t").isEmpty(), "runner-b runs it again, and asks again");
    }
  }

  static List<String> fields(JsonNode o) {
    List<String> out = new ArrayList<>();
    o.fieldNames().forEachRemaining(out::add);
    Collections.sort(out);
    return out;
  }
}
