package dev.tandem.it;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * kill -9 of the worker running two tasks: the idempotent one completes on the spare, the other
 * ends failed with a message that says its worker died; neither stays working.
 */
class TasksSurviveWorkerDeathTest {

  static final String TOOLS =
      """
      import asyncio
      from tandem import Context, tool

      @tool(task="optional", idempotent=True)
      async def brew(seconds: float, label: str) -> str:
          await asyncio.sleep(seconds)
          return f"brewed {label}"

      @tool(task="optional")
      async def brew_once(seconds: float, label: str) -> str:
          await asyncio.sleep(seconds)
          return f"brewed once {label}"

      @tool(task="required")
      async def brew_only_as_task() -> str:
          return "brewed as a task"

      @tool(task="required", input_first=True)
      async def brew_for(ctx: Context) -> str:
          form = {"type": "object", "properties": {"name": {"type": "string"}}}
          answer = await ctx.elicit("For whom?", form, key="who")
          return f"brewed for {answer['content']['name']}"
      """;

  static Path config(Path dir) throws Exception {
    Files.writeString(dir.resolve("brews.py"), TOOLS);
    return Tandem.config(
        dir,
        """
        [[pool]]
        name = "brews"
        modules = ["brews"]
        path = "."
        replicas = 1
        spare = 1
        """);
  }

  static ObjectNode args(double seconds, String label) {
    return DaemonProcess.JSON.createObjectNode().put("seconds", seconds).put("label", label);
  }

  static JsonNode awaitEnd(TaskClient client, String id, Duration within) {
    JsonNode[] last = new JsonNode[1];
    await()
        .atMost(within)
        .pollInterval(Duration.ofMillis(100))
        .until(
            () -> {
              last[0] = client.get(id);
              String s = last[0].path("status").asText();
              return s.equals("completed") || s.equals("failed") || s.equals("cancelled");
            });
    return last[0];
  }

  @Test
  void theIdempotentTaskCompletesOnTheSpareAndTheOtherFailsSayingWhy(@TempDir Path dir)
      throws Exception {
    Map<String, String> env = Map.of("TANDEM_TASKS_DIR", dir.resolve("tasks").toString());
    try (HttpDaemon daemon = HttpDaemon.serve(config(dir), env).awaitReady()) {
      TaskClient client = new TaskClient(daemon, null);
      JsonNode idem = client.call("brew", args(4, "idem"));
      JsonNode once = client.call("brew_once", args(4, "once"));
      assertEquals("task", idem.path("resultType").asText(), idem.toString());
      assertEquals("task", once.path("resultType").asText(), once.toString());

      long pid = servingPidWithCalls(daemon, 2);
      Answers.signal(pid, "KILL");

      JsonNode idemEnd = awaitEnd(client, idem.path("taskId").asText(), Duration.ofSeconds(60));
      assertEquals("completed", idemEnd.path("status").asText(), idemEnd.toString());
      assertEquals(
          "brewed idem", idemEnd.path("result").path("content").path(0).path("text").asText());

      JsonNode onceEnd = awaitEnd(client, once.path("taskId").asText(), Duration.ofSeconds(60));
      assertEquals("failed", onceEnd.path("status").asText(), onceEnd.toString());
      String message = onceEnd.path("error").path("message").asText();
      assertTrue(message.contains("brew_once") && message.contains("SIGKILL"), message);
      assertTrue(message.contains("not annotated readOnlyHint or idempotentHint"), message);
      assertTrue(!onceEnd.has("result"), onceEnd.toString());

      // Observability: tasks by status in the status document (tandem status) and /metrics.
      JsonNode status = DaemonProcess.JSON.readTree(daemon.get("/status").body());
      assertEquals(1, status.path("tasksCompleted").asInt(), status.toString());
      assertEquals(1, status.path("tasksFailed").asInt(), status.toString());
      assertEquals(0, status.path("tasksWorking").asInt(), status.toString());
      String metrics = daemon.get("/metrics").body();
      assertTrue(metrics.contains("tandem_tasks{status=\"completed\"} 1"), metrics);
      assertTrue(metrics.contains("tandem_tasks{status=\"failed\"} 1"), metrics);
      // The admin list: each task's tool and status, never its payload nor its whole id.
      String page = daemon.get("/tasks").body();
      JsonNode listed = DaemonProcess.JSON.readTree(page).path("tasks");
      assertEquals(2, listed.size(), page);
      Set<String> seen = new HashSet<>();
      listed.forEach(t -> seen.add(t.path("tool").asText() + "=" + t.path("status").asText()));
      assertEquals(Set.of("brew=completed", "brew_once=failed"), seen, page);
      assertTrue(!page.contains("brewed") && !page.contains("SIGKILL"), page);
      assertTrue(
          !page.contains(once.path("taskId").asText())
              && !page.contains(idem.path("taskId").asText()),
          page);
    }
  }

  /** The pid of the serving worker once it has {@code calls} calls in flight. */
  static long servingPidWithCalls(HttpDaemon daemon, int calls) {
    return servingPidWithCalls(daemon, calls, null);
  }

  static long servingPidWithCalls(HttpDaemon daemon, int calls, String token) {
    long[] pid = new long[1];
    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () -> {
              var get = java.net.http.HttpRequest.newBuilder(daemon.uri("/status")).GET();
              if (token != null) get.header("Authorization", "Bearer " + token);
              String body =
                  daemon
                      .http
                      .send(get.build(), java.net.http.HttpResponse.BodyHandlers.ofString())
                      .body();
              JsonNode status = DaemonProcess.JSON.readTree(body);
              for (JsonNode pool : status.path("pools")) {
                for (JsonNode w : pool.path("workers")) {
                  if (w.path("inFlight").asInt() == calls) {
                    pid[0] = w.path("pid").asLong();
                    return true;
                  }
                }
              }
              return false;
            });
    return pid[0];
  }
}
