package dev.tandem.it;

import static dev.tandem.it.TasksSurviveWorkerDeathTest.args;
import static dev.tandem.it.TasksSurviveWorkerDeathTest.awaitEnd;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tandem.supervisor.tasks.RedisServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three tandem replicas sharing one real redis-server ({@code [tasks] store = "redis://..."}): a
 * task started through one is seen, polled and fetched through the others; after kill -9 of the
 * replica running two tasks, once its lease expires exactly one survivor takes each over: the
 * idempotent one runs again once and completes, the other is failed once, saying why.
 */
class TasksAcrossReplicasTest {

  static final String TOKEN = "tasks-replicas-test-token-0123456789";

  /** Each start of a tool appends its label to runs.txt: how many times a task ran. */
  static final String TOOLS =
      """
      import asyncio
      from tandem import tool

      RUNS = %s

      def _ran(label):
          with open(RUNS, "a") as f:
              f.write(label + "\\n")

      @tool(task="optional", idempotent=True)
      async def brew(seconds: float, label: str) -> str:
          _ran(label)
          await asyncio.sleep(seconds)
          return f"brewed {label}"

      @tool(task="optional")
      async def brew_once(seconds: float, label: str) -> str:
          _ran(label)
          await asyncio.sleep(seconds)
          return f"brewed once {label}"
      """;

  @Test
  void tasksAreSeenFromEveryReplicaAndADeadOnesAreTakenOverOnce(@TempDir Path dir)
      throws Exception {
    try (RedisServer redis = RedisServer.start(Files.createDirectories(dir.resolve("redis")))) {
      Path runs = dir.resolve("runs.txt");
      Files.writeString(dir.resolve("brews.py"), TOOLS.formatted("'" + runs.toString() + "'"));
      Path config =
          Tandem.config(
              dir,
              """
              [tasks]
              store = "%s"
              lease_ms = 1500

              [[pool]]
              name = "brews"
              modules = ["brews"]
              path = "."
              replicas = 1
              """
                  .formatted(redis.url()));
      Map<String, String> env = Map.of("TANDEM_HTTP_TOKEN", TOKEN);
      try (HttpDaemon a = HttpDaemon.serve(config, env).awaitReady();
          HttpDaemon b = HttpDaemon.serve(config, env).awaitReady();
          HttpDaemon c = HttpDaemon.serve(config, env).awaitReady()) {
        TaskClient onA = new TaskClient(a, TOKEN);
        TaskClient onB = new TaskClient(b, TOKEN);
        TaskClient onC = new TaskClient(c, TOKEN);

        String done = onA.call("brew", args(0.1, "done")).path("taskId").asText();
        JsonNode finished = awaitEnd(onB, done, Duration.ofSeconds(30));
        assertEquals("completed", finished.path("status").asText(), finished.toString());
        assertEquals(
            "brewed done", finished.path("result").path("content").path(0).path("text").asText());
        assertEquals("completed", onC.get(done).path("status").asText());

        String idem = onA.call("brew", args(4, "again")).path("taskId").asText();
        String once = onA.call("brew_once", args(60, "lost")).path("taskId").asText();
        assertEquals("working", onB.get(idem).path("status").asText());
        assertEquals("working", onC.get(once).path("status").asText());
        TasksSurviveWorkerDeathTest.servingPidWithCalls(a, 2, TOKEN);
        a.process().destroyForcibly(); // SIGKILL: its lease is renewed no more
        assertTrue(a.process().waitFor(20, TimeUnit.SECONDS));

        JsonNode rerun = awaitEnd(onB, idem, Duration.ofSeconds(60));
        assertEquals("completed", rerun.path("status").asText(), rerun.toString());
        assertEquals(
            "brewed again", rerun.path("result").path("content").path(0).path("text").asText());
        JsonNode failed = awaitEnd(onC, once, Duration.ofSeconds(30));
        assertEquals("failed", failed.path("status").asText(), failed.toString());
        String message = failed.path("error").path("message").asText();
        assertTrue(message.contains("tandem stopped") && message.contains("brew_once"), message);

        assertEquals("completed", onC.get(idem).path("status").asText());
        assertEquals("failed", onB.get(once).path("status").asText());
        List<String> ran = Files.readAllLines(runs);
        assertEquals(
            2, ran.stream().filter("again"::equals).count(), "on A, then on one survivor: " + ran);
        assertEquals(1, ran.stream().filter("lost"::equals).count(), "never run again: " + ran);
      }
    }
  }
}
