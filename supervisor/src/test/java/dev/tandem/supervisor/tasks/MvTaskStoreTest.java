package dev.tandem.supervisor.tasks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tandem.protocol.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The MVStore task store: the contract, what it keeps across a reopen, and that a daemon started
 * again takes its predecessor's unfinished tasks over at once (no lease of another process is
 * live).
 */
class MvTaskStoreTest extends TaskStoreContract {

  @Override
  TaskStore newStore(int maxTasks) {
    return MvTaskStore.inMemory(maxTasks);
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
  void aDaemonStartedAgainClaimsItsPredecessorsTasksAtOnce(@TempDir Path dir) {
    Path file = dir.resolve("tasks.mv.db");
    try (MvTaskStore store = MvTaskStore.open(file, 10)) {
      store.heartbeat("runner-a", now(), LONG_LEASE);
      store.create(task("w", "o", TaskRecord.WORKING, now()));
    }
    try (MvTaskStore store = MvTaskStore.open(file, 10)) {
      List<TaskRecord> claimed = store.heartbeat("runner-b", now(), LONG_LEASE);
      assertEquals(List.of("w"), claimed.stream().map(TaskRecord::id).toList());
    }
  }
}
