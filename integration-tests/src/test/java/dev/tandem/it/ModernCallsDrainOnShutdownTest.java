package dev.tandem.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** SIGTERM drains 2026-07-28 calls in flight too: they are answered before the workers stop. */
class ModernCallsDrainOnShutdownTest {

  @Test
  void modernCallInFlightAtSigtermIsAnsweredThenTheDaemonExitsZero() throws Exception {
    try (DaemonProcess daemon = DaemonProcess.serve(Tandem.EXAMPLES)) {
      daemon.initialize(); // a session-era session on the same pipe, for tandem/status
      ObjectNode meta = DaemonProcess.JSON.createObjectNode();
      meta.put("io.modelcontextprotocol/protocolVersion", "2026-07-28");
      meta.putObject("io.modelcontextprotocol/clientCapabilities");
      ObjectNode list = DaemonProcess.JSON.createObjectNode();
      list.set("_meta", meta);
      JsonNode tools = daemon.request("l", "tools/list", list); // the pools are up
      assertEquals("complete", tools.at("/result/resultType").asText(), tools.toString());

      ObjectNode params = DaemonProcess.JSON.createObjectNode().put("name", "sleep");
      params.set("_meta", meta);
      params.putObject("arguments").put("seconds", 1.5);
      daemon.send(
          DaemonProcess.JSON
              .createObjectNode()
              .put("jsonrpc", "2.0")
              .put("id", "slow")
              .put("method", "tools/call")
              .set("params", params));
      // Wait until the worker has the call: tandem/status counts it in flight.
      Answers answers = new Answers(daemon);
      org.awaitility.Awaitility.await()
          .atMost(Duration.ofSeconds(20))
          .until(() -> answers.pool("examples").path("inFlight").asInt() == 1);
      Answers.signal(daemon.process().pid(), "TERM");
      JsonNode answer = answers.await("slow", Duration.ofSeconds(20));
      assertEquals("slept 1.5s", answer.at("/result/content/0/text").asText(), answer.toString());
      assertEquals("complete", answer.at("/result/resultType").asText());
      assertEquals(0, daemon.awaitExit(Duration.ofSeconds(20)));
    }
  }
}
