package dev.tandem.supervisor.tasks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tandem.protocol.Json;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.RedisClient;

/**
 * The Redis task store against a real redis-server: the contract, plus what Redis adds: ended tasks
 * expire by Redis's own expiry, two clients (two replicas) see one store, no password in errors.
 */
class RedisTaskStoreTest extends TaskStoreContract {

  @TempDir static Path dir;
  static RedisServer redis;

  @BeforeAll
  static void startRedis() throws Exception {
    redis = RedisServer.start(dir);
  }

  @AfterAll
  static void stopRedis() {
    if (redis != null) redis.close();
  }

  @Override
  TaskStore newStore(int maxTasks) {
    redis.flush();
    return RedisTaskStore.open(redis.url(), maxTasks);
  }

  @Override
  TaskStore peer(TaskStore store) {
    return RedisTaskStore.open(redis.url(), 100);
  }

  @Test
  void anEndedTaskExpiresInRedisAtItsTtl() {
    try (TaskStore store = newStore(10);
        RedisClient client = RedisClient.create("127.0.0.1", redis.port)) {
      store.create(task("w", "o", TaskRecord.WORKING, now()));
      String key = RedisTaskStore.PREFIX + "task:w";
      assertEquals(-1, client.pttl(key), "a running task never expires");
      long end = now();
      store.put(store.get("w").ended(TaskRecord.COMPLETED, null, Json.object(), null, end));
      long ttl = client.pttl(key);
      assertTrue(ttl > 0 && ttl <= 60_000, "expires 60 s after its end, not " + ttl);
    }
  }

  @Test
  void twoReplicasShareOneStore() {
    try (TaskStore a = newStore(10);
        TaskStore b = RedisTaskStore.open(redis.url(), 10)) {
      a.heartbeat("runner-a", now(), LONG_LEASE);
      a.create(task("t", "alice", TaskRecord.WORKING, now()));
      assertEquals("runner-a", b.get("t").runner());
      assertEquals(1, b.listByOwner("alice").size());
      assertTrue(b.heartbeat("runner-b", now(), LONG_LEASE).isEmpty());
      assertFalse(b.countByStatus().isEmpty());
    }
  }

  @Test
  void anUnreachableRedisIsSaidWithoutItsPassword() {
    var e =
        assertThrows(
            IllegalStateException.class,
            () -> RedisTaskStore.open("redis://:hunter2-secret@127.0.0.1:1/0", 10));
    assertTrue(e.getMessage().contains("redis://127.0.0.1:1/0"), e.getMessage());
    assertFalse(e.getMessage().contains("hunter2"), e.getMessage());
  }
}
