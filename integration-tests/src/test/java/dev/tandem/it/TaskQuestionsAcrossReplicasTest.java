package dev.tandem.it;

import static dev.tandem.it.TasksSurviveWorkerDeathTest.awaitEnd;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.supervisor.tasks.RedisServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A task's questions across three tandem replicas sharing one real redis-server (2026-07-28 tasks
 * extension): asked by the tool running on replica A, shown by B's tasks/get, answered in parts
 * through B and C, the task resumes on A and completes, its result visible from C. What is not an
 * answer is said precisely: a key not asked or answered already is ignored and named in the ack, an
 * answer after the end is an error. The store is a password-protected Redis named by {@code
 * TANDEM_TASKS_STORE}, as deploy/kubernetes sets it from a Secret.
 */
class TaskQuestionsAcrossReplicasTest {

  static final String TOKEN = "task-questions-replicas-token-0123456789";

  static final String TOOLS =
      """
      import asyncio
      from tandem import Context, tool

      FORM = {"type": "object", "properties": {"name": {"type": "string"}}}

      @tool(task="optional")
      async def introduce(ctx: Context) -> str:
          first, second = await asyncio.gather(
              ctx.elicit("First name?", FORM, key="first"),
              ctx.elicit("Last name?", FORM, key="last"),
          )
          return f"{first['content']['name']} {second['content']['name']}"
      """;

  @Test
  void questionsAskedOnOneReplicaAreAnsweredThroughOthersAndTheTaskCompletes(@TempDir Path dir)
      throws Exception {
    String password = "replicas-redis-password-0123456789";
    try (RedisServer redis =
        RedisServer.start(Files.createDirectories(dir.resolve("redis")), password)) {
      Files.writeString(dir.resolve("people.py"), TOOLS);
      Path config =
          Tandem.config(
              dir,
              """
              [[pool]]
              name = "people"
              modules = ["people"]
              path = "."
              replicas = 1
              """);
      // As a pod gets it: the store URL, password included, from a Secret through the env.
      Map<String, String> env =
          Map.of("TANDEM_HTTP_TOKEN", TOKEN, "TANDEM_TASKS_STORE", redis.url());
      try (HttpDaemon a = HttpDaemon.serve(config, env).awaitReady();
          HttpDaemon b = HttpDaemon.serve(config, env).awaitReady();
          HttpDaemon c = HttpDaemon.serve(config, env).awaitReady()) {
        TaskClient onA = new TaskClient(a, TOKEN);
        TaskClient onB = new TaskClient(b, TOKEN);
        TaskClient onC = new TaskClient(c, TOKEN);

        String id =
            onA.call("introduce", DaemonProcess.JSON.createObjectNode()).path("taskId").asText();
        JsonNode[] seen = new JsonNode[1];
        await()
            .atMost(Duration.ofSeconds(30))
            .until(() -> keys((seen[0] = onB.get(id)).path("inputRequests")).size() == 2);
        assertEquals("input_required", seen[0].path("status").asText(), seen[0].toString());
        assertEquals(
            "First name?",
            seen[0].at("/inputRequests/first/params/message").asText(),
            "replica B shows what the tool on A asked: " + seen[0]);
        assertEquals("elicitation/create", seen[0].at("/inputRequests/last/method").asText());

        JsonNode ack = update(onB, id, Map.of("first", accept("Ada"), "middle", accept("x")));
        assertEquals("complete", ack.at("/result/resultType").asText(), ack.toString());
        String ignored = ack.at("/result/_meta/tandem~1ignoredResponses/middle").asText();
        assertTrue(ignored.contains("no open question \"middle\""), ack.toString());
        assertFalse(ack.at("/result/_meta/tandem~1ignoredResponses").has("first"), ack.toString());

        JsonNode partly = onC.get(id);
        assertEquals("input_required", partly.path("status").asText(), partly.toString());
        assertEquals(List.of("last"), keys(partly.path("inputRequests")), partly.toString());

        JsonNode again =
            update(onC, id, Map.of("first", accept("Grace"), "last", accept("Lovelace")));
        String twice = again.at("/result/_meta/tandem~1ignoredResponses/first").asText();
        assertTrue(twice.contains("answered already"), again.toString());

        JsonNode done = awaitEnd(onC, id, Duration.ofSeconds(30));
        assertEquals("completed", done.path("status").asText(), done.toString());
        assertEquals(
            "Ada Lovelace",
            done.at("/result/content/0/text").asText(),
            "the first answer counts, taken once, by replica A: " + done);
        assertEquals("completed", onB.get(id).path("status").asText());

        JsonNode late = update(onB, id, Map.of("last", accept("Byron")));
        assertEquals(-32602, late.at("/error/code").asInt(), late.toString());
        assertTrue(
            late.at("/error/message").asText().contains("has ended (completed)"), late.toString());
        for (HttpDaemon d : List.of(a, b, c))
          assertFalse(d.stderrText().contains(password), "the store's password is never logged");
      }
    }
  }

  private static JsonNode update(TaskClient client, String id, Map<String, ObjectNode> answers)
      throws Exception {
    ObjectNode params = DaemonProcess.JSON.createObjectNode().put("taskId", id);
    ObjectNode responses = params.putObject("inputResponses");
    answers.forEach(responses::set);
    return client.send("tasks/update", params, id);
  }

  private static ObjectNode accept(String name) {
    ObjectNode r = DaemonProcess.JSON.createObjectNode().put("action", "accept");
    r.putObject("content").put("name", name);
    return r;
  }

  private static List<String> keys(JsonNode o) {
    List<String> out = new ArrayList<>();
    o.fieldNames().forEachRemaining(out::add);
    out.sort(null);
    return out;
  }
}
