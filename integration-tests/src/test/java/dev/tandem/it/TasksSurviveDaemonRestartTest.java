package dev.tandem.it;

import static dev.tandem.it.TasksSurviveWorkerDeathTest.args;
import static dev.tandem.it.TasksSurviveWorkerDeathTest.awaitEnd;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * kill -9 of the daemon with tasks finished and running, then a daemon started again on the same
 * configuration: the finished task's result is still there, the idempotent running one is run again
 * to completion, the other ends failed saying why; none stays working. The store file is private to
 * the user.
 */
class TasksSurviveDaemonRestartTest {

  static final String TOKEN = "tasks-restart-test-token-0123456789";

  @Test
  void finishedResultsSurviveAndRunningTasksAreRerunOrFailed(@TempDir Path dir) throws Exception {
    Path config = TasksSurviveWorkerDeathTest.config(dir);
    Path store = dir.resolve("tasks");
    Map<String, String> env =
        Map.of("TANDEM_TASKS_DIR", store.toString(), "TANDEM_HTTP_TOKEN", TOKEN);
    String done;
    String idem;
    String once;
    try (HttpDaemon first = HttpDaemon.serve(config, env).awaitReady()) {
      TaskClient client = new TaskClient(first, TOKEN);
      done = client.call("brew", args(0.1, "done")).path("taskId").asText();
      assertEquals(
          "completed", awaitEnd(client, done, Duration.ofSeconds(30)).path("status").asText());
      idem = client.call("brew", args(3, "again")).path("taskId").asText();
      once = client.call("brew_once", args(30, "lost")).path("taskId").asText();
      TasksSurviveWorkerDeathTest.servingPidWithCalls(first, 2, TOKEN);
      first.process().destroyForcibly(); // SIGKILL: no shutdown hook runs
      assertTrue(first.process().waitFor(20, TimeUnit.SECONDS));
    }

    try (var files = Files.list(store)) {
      for (Path f : files.toList()) {
        assertEquals(
            "rw-------",
            PosixFilePermissions.toString(Files.getPosixFilePermissions(f)),
            f.toString());
      }
    }
    assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(store)));

    try (HttpDaemon second = HttpDaemon.serve(config, env).awaitReady()) {
      TaskClient client = new TaskClient(second, TOKEN);
      JsonNode finished = client.get(done);
      assertEquals("completed", finished.path("status").asText(), finished.toString());
      assertEquals(
          "brewed done", finished.path("result").path("content").path(0).path("text").asText());

      JsonNode rerun = awaitEnd(client, idem, Duration.ofSeconds(60));
      assertEquals("completed", rerun.path("status").asText(), rerun.toString());
      assertEquals(
          "brewed again", rerun.path("result").path("content").path(0).path("text").asText());

      JsonNode failed = client.get(once);
      assertEquals("failed", failed.path("status").asText(), failed.toString());
      String message = failed.path("error").path("message").asText();
      assertTrue(message.contains("tandem stopped") && message.contains("brew_once"), message);
    }
  }
}
