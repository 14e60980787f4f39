package dev.tandem.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A reload onto code with a syntax error: the new worker cannot import the module, so the old
 * workers keep serving untouched, the reload answers an error that names the pool, the module and
 * the traceback's last lines (file, line, caret, error), and the failure is not counted as a
 * restart. Once the code is fixed, the next reload goes through.
 */
class ReloadSyntaxErrorKeepsOldWorkersTest {

  @Test
  void syntaxErrorInTheEditKeepsTheOldWorkersAndAnswersThePreciseError(@TempDir Path dir)
      throws Exception {
    Path tools = ReloadUnderLoadTest.promptedTools(dir);
    Path module = tools.resolve("prompted.py");
    Path config =
        Tandem.config(
            dir,
            """
        [[pool]]
        name = "prompted"
        modules = ["prompted"]
        path = "tools"
        replicas = 2
        spare = 0
        """);
    try (DaemonProcess daemon = DaemonProcess.serve(config)) {
      daemon.initialize();
      Answers answers = new Answers(daemon);
      assertEquals(
          "prompt v1",
          Answers.text(answers.call("c0", "answer", Answers.args())).split(" pid=")[0]);
      Set<Long> before = ReloadUnderLoadTest.pids(answers.pool("prompted"));

      Files.writeString(module, ReloadUnderLoadTest.PROMPTED + "\ndef broken(:\n    pass\n");
      Files.writeString(tools.resolve("prompt.txt"), "prompt v2");
      JsonNode reload = daemon.request("r1", "tandem/reload", null);
      JsonNode error = reload.path("error");
      assertEquals(-32050, error.path("code").asInt(), reload.toString());
      String message = error.path("message").asText();
      assertTrue(
          message.startsWith(
              "pool \"prompted\" was not reloaded: module 'prompted' failed to import"),
          message);
      assertTrue(message.contains("SyntaxError"), message);
      long brokenLine = (ReloadUnderLoadTest.PROMPTED + "\n").lines().count() + 1;
      assertTrue(message.contains("prompted.py\", line " + brokenLine), message);
      assertTrue(message.contains("def broken(:"), message);
      assertTrue(message.contains("keep serving the previous code"), message);
      JsonNode failed = error.path("data").path("failed").path(0);
      assertEquals("prompted", failed.path("pool").asText(), reload.toString());
      assertEquals("prompted", failed.path("module").asText(), reload.toString());
      String lastLine = failed.path("traceback").get(failed.path("traceback").size() - 1).asText();
      assertTrue(lastLine.startsWith("SyntaxError: "), reload.toString());
      assertEquals(before.size(), failed.path("kept").size(), reload.toString());

      JsonNode pool = answers.pool("prompted");
      assertEquals(
          before,
          ReloadUnderLoadTest.pids(pool),
          "the old workers serve on, and no probe is left: " + pool);
      assertEquals(0, pool.path("restarts").asInt(), "a failed reload is not a death: " + pool);
      assertEquals(1, pool.path("generation").asInt(), pool.toString());
      assertFalse(pool.path("lastReload").path("ok").asBoolean(true), pool.toString());
      JsonNode still = answers.call("c1", "answer", Answers.args());
      assertFalse(Answers.isError(still), still.toString());
      assertEquals(
          "prompt v1", Answers.text(still).split(" pid=")[0], "still the old code: " + still);

      Files.writeString(module, ReloadUnderLoadTest.PROMPTED);
      JsonNode fixed = daemon.request("r2", "tandem/reload", null);
      assertTrue(fixed.has("result"), fixed.toString());
      assertEquals(
          2,
          fixed.path("result").path("pools").path(0).path("generation").asInt(),
          fixed.toString());
      assertEquals(
          "prompt v2",
          Answers.text(answers.call("c2", "answer", Answers.args())).split(" pid=")[0]);
    }
  }
}
