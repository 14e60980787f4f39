package dev.tandem.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * 2026-07-28 without the tasks extension declared: a tool that runs only as a task is refused with
 * -32021 (HTTP 400) naming the extension, an optional one runs as a plain call, and the tasks
 * methods are refused; with it declared, the same calls are tasks.
 */
class TaskCapabilityTest {

  @Test
  void withoutTheExtensionRequiredIsRefusedAndOptionalRunsPlain(@TempDir Path dir)
      throws Exception {
    Map<String, String> env = Map.of("TANDEM_TASKS_DIR", dir.resolve("tasks").toString());
    try (HttpDaemon daemon =
        HttpDaemon.serve(TasksSurviveWorkerDeathTest.config(dir), env).awaitReady()) {
      TaskClient plain = new TaskClient(daemon, null, false);
      ObjectNode none = DaemonProcess.JSON.createObjectNode();
      ObjectNode params = DaemonProcess.JSON.createObjectNode().put("name", "brew_only_as_task");
      params.set("arguments", none);
      JsonNode refused = plain.send("tools/call", params, "brew_only_as_task");
      assertEquals(400, plain.lastStatus, refused.toString());
      assertEquals(-32021, refused.path("error").path("code").asInt(), refused.toString());
      assertTrue(
          refused
              .path("error")
              .path("data")
              .path("requiredCapabilities")
              .path("extensions")
              .has(TaskClient.EXTENSION),
          refused.toString());

      JsonNode sync = plain.call("brew", TasksSurviveWorkerDeathTest.args(0, "now"));
      assertEquals("complete", sync.path("resultType").asText(), sync.toString());
      assertFalse(sync.has("taskId"), sync.toString());
      assertEquals("brewed now", sync.path("content").path(0).path("text").asText());

      JsonNode gated = plain.getRaw("anything");
      assertEquals(-32021, gated.path("error").path("code").asInt(), gated.toString());

      TaskClient declared = new TaskClient(daemon, null, true);
      JsonNode created = declared.call("brew_only_as_task", none);
      assertEquals("task", created.path("resultType").asText(), created.toString());
      JsonNode unknown = declared.getRaw("no-such-task");
      assertEquals(-32602, unknown.path("error").path("code").asInt(), unknown.toString());
    }
  }

  @Test
  void anInputFirstToolAsksThenRunsAsATaskAndTheAskingCallEnds(@TempDir Path dir) throws Exception {
    Map<String, String> env = Map.of("TANDEM_TASKS_DIR", dir.resolve("tasks").toString());
    try (HttpDaemon daemon =
        HttpDaemon.serve(TasksSurviveWorkerDeathTest.config(dir), env).awaitReady()) {
      TaskClient client = new TaskClient(daemon, null, true);
      ObjectNode first = DaemonProcess.JSON.createObjectNode().put("name", "brew_for");
      first.putObject("arguments");
      JsonNode asked = client.send("tools/call", first, "brew_for").path("result");
      assertEquals("input_required", asked.path("resultType").asText(), asked.toString());
      assertTrue(asked.path("inputRequests").has("who"), asked.toString());
      assertFalse(asked.has("taskId"), asked.toString());

      ObjectNode second = DaemonProcess.JSON.createObjectNode().put("name", "brew_for");
      second.putObject("arguments");
      second.put("requestState", asked.path("requestState").asText());
      ObjectNode who = second.putObject("inputResponses").putObject("who");
      who.put("action", "accept").putObject("content").put("name", "Ada");
      JsonNode created = client.send("tools/call", second, "brew_for").path("result");
      assertEquals("task", created.path("resultType").asText(), created.toString());
      assertFalse(created.has("requestState"), created.toString());

      JsonNode ended =
          TasksSurviveWorkerDeathTest.awaitEnd(
              client, created.path("taskId").asText(), java.time.Duration.ofSeconds(30));
      assertEquals(
          "brewed for Ada",
          ended.path("result").path("content").path(0).path("text").asText(),
          ended.toString());
      // The first round's call, which asked, ended when its answers started the task.
      org.awaitility.Awaitility.await()
          .atMost(java.time.Duration.ofSeconds(10))
          .until(
              () ->
                  DaemonProcess.JSON
                          .readTree(daemon.get("/status").body())
                          .path("pools")
                          .path(0)
                          .path("inFlight")
                          .asInt()
                      == 0);
    }
  }
}
