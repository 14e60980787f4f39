package dev.tandem.it;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * [server] watch: saving a file under a pool's path reloads its workers with no request at all;
 * saving a syntax error keeps the old workers serving and reports the error in the log and in the
 * pool's lastReload; saving the fix reloads again.
 */
class HotReloadTest {

  @Test
  void editUnderThePoolPathReloadsAndASyntaxErrorKeepsTheOldWorkers(@TempDir Path dir)
      throws Exception {
    Path tools = ReloadUnderLoadTest.promptedTools(dir);
    Path module = tools.resolve("prompted.py");
    Path config =
        Tandem.config(
            dir,
            """
        [server]
        watch = true

        [[pool]]
        name = "prompted"
        modules = ["prompted"]
        path = "tools"
        replicas = 1
        spare = 0
        """);
    try (DaemonProcess daemon = DaemonProcess.serve(config)) {
      daemon.initialize();
      Answers answers = new Answers(daemon);
      AtomicInteger n = new AtomicInteger();
      assertEquals(
          "prompt v1", prompt(answers.call("c" + n.incrementAndGet(), "answer", Answers.args())));

      Files.writeString(tools.resolve("prompt.txt"), "prompt v2 from the watcher");
      await()
          .atMost(Duration.ofSeconds(30))
          .until(
              () ->
                  prompt(answers.call("c" + n.incrementAndGet(), "answer", Answers.args()))
                      .equals("prompt v2 from the watcher"));
      JsonNode pool = answers.pool("prompted");
      assertEquals(2, pool.path("generation").asInt(), pool.toString());
      assertTrue(pool.path("lastReload").path("ok").asBoolean(), pool.toString());

      Files.writeString(module, ReloadUnderLoadTest.PROMPTED + "\ndef broken(:\n");
      await()
          .atMost(Duration.ofSeconds(30))
          .untilAsserted(
              () -> {
                JsonNode p = answers.pool("prompted");
                assertFalse(p.path("lastReload").path("ok").asBoolean(true), p.toString());
                assertTrue(
                    p.path("lastReload").path("error").asText().contains("SyntaxError"),
                    p.toString());
                assertTrue(
                    daemon.stderr().stream()
                        .anyMatch(
                            l -> l.contains("was not reloaded after the change to prompted.py")),
                    String.join("\n", daemon.stderr()));
              });
      JsonNode still = answers.call("c" + n.incrementAndGet(), "answer", Answers.args());
      assertFalse(Answers.isError(still), still.toString());
      assertEquals(
          "prompt v2 from the watcher", prompt(still), "the old workers keep serving: " + still);
      assertEquals(2, answers.pool("prompted").path("generation").asInt());

      Files.writeString(
          module, ReloadUnderLoadTest.PROMPTED.replace("{PROMPT} pid", "{PROMPT} (fixed) pid"));
      await()
          .atMost(Duration.ofSeconds(30))
          .until(
              () ->
                  prompt(answers.call("c" + n.incrementAndGet(), "answer", Answers.args()))
                      .equals("prompt v2 from the watcher (fixed)"));
      assertEquals(0, answers.pool("prompted").path("restarts").asInt());
    }
  }

  /**
   * Templates are re-read by the workers at each render: saving one changes the next answer, not
   * the workers.
   */
  @Test
  void savingATemplateChangesTheNextAnswerWithoutNewWorkers(@TempDir Path dir) throws Exception {
    Path tools = Files.createDirectories(dir.resolve("tools"));
    Files.writeString(tools.resolve("greet.tmpl"), "hello $name");
    Files.writeString(
        tools.resolve("greeter.py"),
        """
        from tandem import templates, tool

        GREETING = templates.load("greet.tmpl")


        @tool
        def greet(name: str) -> str:
            return GREETING.render(name=name)
        """);
    Path config =
        Tandem.config(
            dir,
            """
        [server]
        watch = true

        [[pool]]
        name = "greeter"
        modules = ["greeter"]
        path = "tools"
        replicas = 1
        spare = 0
        """);
    try (DaemonProcess daemon = DaemonProcess.serve(config)) {
      daemon.initialize();
      Answers answers = new Answers(daemon);
      AtomicInteger n = new AtomicInteger();
      var args = DaemonProcess.JSON.createObjectNode().put("name", "Ada");
      assertEquals(
          "hello Ada", Answers.text(answers.call("g" + n.incrementAndGet(), "greet", args)));
      long pid = answers.pool("greeter").at("/workers/0/pid").asLong();

      Files.writeString(tools.resolve("greet.tmpl"), "good morning, $name");
      await()
          .atMost(Duration.ofSeconds(30))
          .until(
              () ->
                  daemon.stderr().stream()
                      .anyMatch(l -> l.contains("template changed on disk (greet.tmpl)")));
      assertEquals(
          "good morning, Ada",
          Answers.text(answers.call("g" + n.incrementAndGet(), "greet", args)));
      JsonNode pool = answers.pool("greeter");
      assertEquals(1, pool.path("generation").asInt(), "no reload: " + pool);
      assertEquals(pid, pool.at("/workers/0/pid").asLong(), "the same worker: " + pool);
      assertFalse(
          daemon.stderr().stream().anyMatch(l -> l.contains("reloading its workers")),
          String.join("\n", daemon.stderr()));
    }
  }

  private static String prompt(JsonNode answer) {
    return Answers.text(answer).split(" pid=")[0];
  }
}
