package dev.tandem.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * 2025-11-25 tasks over HTTP sessions: a task-augmented call answers CreateTaskResult, tasks/get,
 * tasks/list and the blocking tasks/result serve its creator, and another session gets "not found"
 * for the same id, never the result.
 */
class TaskScopingTest {

  @Test
  void anotherSessionCannotReadTheTask(@TempDir Path dir) throws Exception {
    Map<String, String> env = Map.of("TANDEM_TASKS_DIR", dir.resolve("tasks").toString());
    try (HttpDaemon daemon =
        HttpDaemon.serve(TasksSurviveWorkerDeathTest.config(dir), env).awaitReady()) {
      McpHttpClient owner = daemon.client();
      JsonNode init = owner.initialize();
      assertTrue(
          init.path("result")
              .path("capabilities")
              .path("tasks")
              .path("requests")
              .path("tools")
              .has("call"),
          init.toString());
      McpHttpClient other = daemon.client();
      other.initialize();

      ObjectNode params = DaemonProcess.JSON.createObjectNode().put("name", "brew");
      params.set("arguments", TasksSurviveWorkerDeathTest.args(0.5, "mine"));
      params.putObject("task").put("ttl", 60_000);
      JsonNode created = owner.exchange("c1", "tools/call", params).getLast();
      String id = created.path("result").path("task").path("taskId").asText();
      assertEquals(
          "working",
          created.path("result").path("task").path("status").asText(),
          created.toString());
      assertTrue(id.length() >= 32, "task ids are unguessable: " + id);

      ObjectNode ask = DaemonProcess.JSON.createObjectNode().put("taskId", id);
      JsonNode result = owner.exchange("r1", "tasks/result", ask).getLast();
      assertEquals(
          "brewed mine",
          result.path("result").path("content").path(0).path("text").asText(),
          result.toString());
      assertEquals(
          id,
          result
              .path("result")
              .path("_meta")
              .path("io.modelcontextprotocol/related-task")
              .path("taskId")
              .asText());
      JsonNode got = owner.exchange("g1", "tasks/get", ask).getLast();
      assertEquals("completed", got.path("result").path("status").asText(), got.toString());
      JsonNode listed =
          owner.exchange("l1", "tasks/list", DaemonProcess.JSON.createObjectNode()).getLast();
      assertEquals(
          id,
          listed.path("result").path("tasks").path(0).path("taskId").asText(),
          listed.toString());

      for (String method : List.of("tasks/get", "tasks/result", "tasks/cancel")) {
        JsonNode refused = other.exchange("x-" + method, method, ask).getLast();
        assertEquals(-32602, refused.path("error").path("code").asInt(), method + ": " + refused);
        assertTrue(!refused.toString().contains("brewed mine"), refused.toString());
      }
      JsonNode otherList =
          other.exchange("l2", "tasks/list", DaemonProcess.JSON.createObjectNode()).getLast();
      assertEquals(0, otherList.path("result").path("tasks").size(), otherList.toString());
    }
  }
}
