package dev.tandem.it;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A tool that kills its worker on every call restarts the pool until the restart intensity is
 * passed; then the pool opens and its calls fail at once with the cause, while the daemon and its
 * other pools go on. Once the module is fixed, the half-open retry closes it again.
 */
class CrashLoopOpensPoolTest {

  @Test
  void crashOnEveryCallOpensThePoolOtherPoolsServeAndAFixClosesIt(@TempDir Path dir)
      throws Exception {
    Path module = dir.resolve("naps.py");
    Files.writeString(module, Answers.NAPS);
    Path config =
        Tandem.config(
            dir,
            """
        [[pool]]
        name = "crashy"
        modules = ["naps"]
        path = "."
        replicas = 1
        spare = 1
        max_restarts = 2
        restart_window_ms = 60000
        half_open_after_ms = 1500
        env = { PYTHONDONTWRITEBYTECODE = "1" }
        """
                + Tandem.examplesPool("examples", 1)
                + "spare = 0\n");
    try (DaemonProcess daemon = DaemonProcess.serve(config)) {
      daemon.initialize();
      Answers answers = new Answers(daemon);

      String open = null;
      int deaths = 0;
      for (int i = 0; i < 10 && open == null; i++) {
        JsonNode a =
            answers.call("crash-" + i, "crash", Answers.args().put("message", "call " + i));
        assertTrue(Answers.isError(a), a.toString());
        String text = Answers.text(a);
        if (text.contains("is open")) open = text;
        else {
          assertTrue(text.contains("was killed by signal 9 (SIGKILL)"), text);
          deaths++;
        }
      }
      assertEquals(3, deaths, "max_restarts = 2: the third death in the window opens the pool");
      assertTrue(open != null, "the pool opened");
      assertTrue(
          open.startsWith(
              "tool \"crash\" is unavailable: pool \"crashy\" is open: its workers died 3 times"),
          open);
      assertTrue(open.contains("was killed by signal 9 (SIGKILL)"), open);
      assertTrue(
          open.contains("about to crash: call 2"), "the last stderr lines name the cause: " + open);

      JsonNode echo = answers.call("echo", "echo", Answers.args().put("text", "other pools serve"));
      assertFalse(Answers.isError(echo), echo.toString());
      assertTrue(daemon.process().isAlive());

      Files.writeString(
          module,
          Answers.NAPS.replace(
              "os.kill(os.getpid(), signal.SIGKILL)\n    return \"unreachable\"",
              "return \"fixed: \" + message"));
      int[] attempt = {0};
      await()
          .atMost(Duration.ofSeconds(30))
          .pollInterval(Duration.ofMillis(250))
          .until(
              () -> {
                JsonNode a =
                    answers.call(
                        "retry-" + attempt[0]++, "crash", Answers.args().put("message", "again"));
                return !Answers.isError(a) && Answers.text(a).equals("fixed: again");
              });
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> answers.pool("crashy").path("state").asText().equals("serving"));
      System.out.printf(
          "crash loop: opened after %d deaths; closed after %d tries once fixed%n",
          deaths, attempt[0]);
    }
  }
}
