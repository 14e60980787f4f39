package dev.tandem.it;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SIGTERM with a call that cannot finish within shutdown_grace_ms (issue 17, item 11): the host is
 * still connected, so the call is answered with an error that says tandem is shutting down, then
 * cancelled; before, the session closed and the call got no answer at all.
 */
class ShutdownAnswersCallsInFlightTest {

  static final String EXPECTED =
      "tool \"sleep\" is unavailable: tandem is shutting down: the call did not finish "
          + "within shutdown_grace_ms = 500 ms and was cancelled";

  static Path config(Path dir) throws Exception {
    return Tandem.config(
        dir,
        """
        [server]
        shutdown_grace_ms = 500

        """
            + Tandem.examplesPool("examples", 1));
  }

  @Test
  void overStdioACallPastTheGracePeriodIsAnsweredThatTandemIsShuttingDown(@TempDir Path dir)
      throws Exception {
    try (DaemonProcess daemon = DaemonProcess.serve(config(dir))) {
      daemon.initialize();
      Answers answers = new Answers(daemon);
      answers.send("long", "sleep", Answers.args().put("seconds", 60));
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> answers.pool("examples").path("inFlight").asInt() == 1);
      Answers.signal(daemon.process().pid(), "TERM");

      JsonNode answer = answers.await("long", Duration.ofSeconds(20));
      assertTrue(Answers.isError(answer), answer.toString());
      assertTrue(Answers.text(answer).startsWith(EXPECTED), Answers.text(answer));
      assertEquals(0, daemon.awaitExit(Duration.ofSeconds(20)));
      assertEquals(1, answers.all("long").size());
    }
  }

  @Test
  void a2026CallOverStdioPastTheGracePeriodIsAnsweredThatTandemIsShuttingDown(@TempDir Path dir)
      throws Exception {
    try (DaemonProcess daemon = DaemonProcess.serve(config(dir))) {
      daemon.initialize(); // a session-era session on the same pipe, for tandem/status
      ObjectNode meta = DaemonProcess.JSON.createObjectNode();
      meta.put("io.modelcontextprotocol/protocolVersion", "2026-07-28");
      meta.putObject("io.modelcontextprotocol/clientCapabilities");
      ObjectNode params = DaemonProcess.JSON.createObjectNode().put("name", "sleep");
      params.set("_meta", meta);
      params.putObject("arguments").put("seconds", 60);
      Answers answers = new Answers(daemon);
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> answers.pool("examples").path("ready").asInt() == 1);
      daemon.send(
          DaemonProcess.JSON
              .createObjectNode()
              .put("jsonrpc", "2.0")
              .put("id", "long")
              .put("method", "tools/call")
              .set("params", params));
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> answers.pool("examples").path("inFlight").asInt() == 1);
      Answers.signal(daemon.process().pid(), "TERM");

      JsonNode answer = answers.await("long", Duration.ofSeconds(20));
      assertTrue(Answers.isError(answer), answer.toString());
      assertTrue(Answers.text(answer).startsWith(EXPECTED), Answers.text(answer));
      assertEquals(0, daemon.awaitExit(Duration.ofSeconds(20)));
    }
  }

  @Test
  void overHttpACallPastTheGracePeriodIsAnsweredThatTandemIsShuttingDown(@TempDir Path dir)
      throws Exception {
    try (HttpDaemon daemon = HttpDaemon.serve(config(dir)).awaitReady()) {
      McpHttpClient client = daemon.client();
      client.initialize();
      CompletableFuture<List<JsonNode>> call =
          CompletableFuture.supplyAsync(
              () -> {
                try {
                  return client.callTool(
                      "long",
                      "sleep",
                      DaemonProcess.JSON.createObjectNode().put("seconds", 60),
                      null);
                } catch (Exception e) {
                  throw new RuntimeException(e);
                }
              });
      await()
          .atMost(Duration.ofSeconds(30))
          .until(
              () ->
                  DaemonProcess.JSON
                          .readTree(daemon.get("/status").body())
                          .at("/pools/0/inFlight")
                          .asInt()
                      == 1);
      Answers.signal(daemon.process().pid(), "TERM");

      List<JsonNode> messages = call.get(20, java.util.concurrent.TimeUnit.SECONDS);
      JsonNode answer = messages.get(messages.size() - 1);
      assertEquals("long", answer.path("id").asText(), messages.toString());
      assertTrue(Answers.isError(answer), answer.toString());
      assertTrue(Answers.text(answer).startsWith(EXPECTED), Answers.text(answer));
      await().atMost(Duration.ofSeconds(20)).until(() -> !daemon.process().isAlive());
      assertEquals(0, daemon.process().exitValue());
    }
  }
}
