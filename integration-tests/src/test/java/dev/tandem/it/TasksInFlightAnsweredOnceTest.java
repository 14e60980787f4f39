package dev.tandem.it;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * 200 tasks in flight at once: each gets its own task id, and each ends completed exactly once with
 * its own result (what it says never changes after it ended).
 */
class TasksInFlightAnsweredOnceTest {

  @Test
  void twoHundredTasksEachEndOnceWithTheirOwnResult(@TempDir Path dir) throws Exception {
    Map<String, String> env = Map.of("TANDEM_TASKS_DIR", dir.resolve("tasks").toString());
    try (HttpDaemon daemon =
        HttpDaemon.serve(TasksSurviveWorkerDeathTest.config(dir), env).awaitReady()) {
      TaskClient client = new TaskClient(daemon, null);
      Map<String, String> labelOf = new HashMap<>();
      for (int i = 0; i < 200; i++) {
        JsonNode created = client.call("brew", TasksSurviveWorkerDeathTest.args(2, "n" + i));
        assertEquals("task", created.path("resultType").asText(), created.toString());
        labelOf.put(created.path("taskId").asText(), "n" + i);
      }
      assertEquals(200, labelOf.size(), "200 distinct task ids");
      Map<String, JsonNode> ended = new HashMap<>();
      await()
          .atMost(Duration.ofSeconds(120))
          .pollInterval(Duration.ofMillis(200))
          .until(
              () -> {
                for (String id : labelOf.keySet()) {
                  if (ended.containsKey(id)) continue;
                  JsonNode t = client.get(id);
                  if (!t.path("status").asText().equals("working")) ended.put(id, t);
                }
                return ended.size() == 200;
              });
      for (var e : labelOf.entrySet()) {
        JsonNode t = ended.get(e.getKey());
        assertEquals("completed", t.path("status").asText(), t.toString());
        assertEquals(
            "brewed " + e.getValue(),
            t.path("result").path("content").path(0).path("text").asText());
        JsonNode again = client.get(e.getKey());
        assertEquals(
            t.path("result"), again.path("result"), "an ended task's result never changes");
        assertEquals(t.path("lastUpdatedAt"), again.path("lastUpdatedAt"));
      }
    }
  }
}
