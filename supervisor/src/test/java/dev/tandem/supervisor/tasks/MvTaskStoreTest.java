package dev.tandem.supervisor.tasks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tandem.protocol.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The MVStore task store: what it keeps across a reopen, who sees what, expiry, its bound. */
class MvTaskStoreTest {

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
        1_000,
        "runner-a");
  }

  @Test
  void aRecordSurvivesReopeningTheFileWhichIsPrivate(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("store/tasks.mv.db");
    try (MvTaskStore store = MvTaskStore.open(file, 10)) {
      assertTrue(store.create(task("t1", "alice", TaskRecord.WORKING, 0)));
      store.put(
          store
              .get("t1")
              .ended(TaskRecord.COMPLETED, null, Json.object().put("ok", true), null, 5));
    }
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
    assertEquals(
        "rwx------",
        PosixFilePermissions.toString(Files.getPosixFilePermissions(file.getParent())));
    try (MvTaskStore store = MvTaskStore.open(file, 10)) {
      TaskRecord t = store.get("t1");
      assertEquals(TaskRecord.COMPLETED, t.status());
      assertTrue(t.result().path("ok").asBoolean());
      assertNull(t.arguments(), "an ended task forgets its arguments");
    }
  }

  @Test
  void aSecondDaemonCannotOpenAFileInUse(@TempDir Path dir) {
    Path file = dir.resolve("tasks.mv.db");
    try (MvTaskStore first = MvTaskStore.open(file, 10)) {
      assertThrows(RuntimeException.class, () -> MvTaskStore.open(file, 10));
    }
  }

  @Test
  void listsOnlyTheOwnersTasks() {
    try (MvTaskStore store = MvTaskStore.inMemory(10)) {
      store.create(task("a1", "alice", TaskRecord.WORKING, 0));
      store.create(task("b1", "bob", TaskRecord.WORKING, 0));
      assertEquals(List.of("a1"), store.listByOwner("alice").stream().map(TaskRecord::id).toList());
    }
  }

  @Test
  void refusesNewTasksWhenFull() {
    try (MvTaskStore store = MvTaskStore.inMemory(2)) {
      assertTrue(store.create(task("1", "o", TaskRecord.WORKING, 0)));
      assertTrue(store.create(task("2", "o", TaskRecord.WORKING, 0)));
      assertFalse(store.create(task("3", "o", TaskRecord.WORKING, 0)));
      assertNull(store.get("3"));
    }
  }

  @Test
  void purgesEndedTasksPastTheirTtlButNeverRunningOnes() {
    try (MvTaskStore store = MvTaskStore.inMemory(10)) {
      store.create(task("old", "o", TaskRecord.COMPLETED, 0));
      store.create(task("fresh", "o", TaskRecord.COMPLETED, 900));
      store.create(task("running", "o", TaskRecord.WORKING, 0));
      assertEquals(1, store.purgeExpired(1_000));
      assertNull(store.get("old"));
      assertEquals(Map.of(TaskRecord.COMPLETED, 1, TaskRecord.WORKING, 1), store.countByStatus());
    }
  }

  @Test
  void claimsEveryUnfinishedTaskOfAnotherRunnerOnce() {
    try (MvTaskStore store = MvTaskStore.inMemory(10)) {
      store.create(task("w", "o", TaskRecord.WORKING, 0));
      store.create(task("i", "o", TaskRecord.INPUT_REQUIRED, 0));
      store.create(task("c", "o", TaskRecord.COMPLETED, 0));
      List<TaskRecord> claimed = store.claimUnfinished("runner-b", 7);
      assertEquals(List.of("i", "w"), claimed.stream().map(TaskRecord::id).sorted().toList());
      assertEquals("runner-b", store.get("w").runner());
      assertTrue(store.claimUnfinished("runner-b", 8).isEmpty(), "claimed once");
    }
  }

  @Test
  void putIgnoresAPurgedTask() {
    try (MvTaskStore store = MvTaskStore.inMemory(10)) {
      store.put(task("gone", "o", TaskRecord.WORKING, 0));
      assertNull(store.get("gone"));
    }
  }
}
