package dev.tandem.it;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * SIGTERM with {@code [http] drain_ms}: {@code /readyz} turns 503 at once, so a load balancer stops
 * sending new work, while for the drain period the replica keeps serving (new calls included) and
 * answers the calls in flight; then it stops listening, finishes and exits 0.
 */
class ReadyzDrainOnSigtermTest {

  @Test
  void readyzGoesFirstThenTheReplicaServesOutItsDrainAndExitsZero() throws Exception {
    try (HttpDaemon d =
        HttpDaemon.serve(Tandem.EXAMPLES, Map.of("TANDEM_HTTP_DRAIN_MS", "3000")).awaitReady()) {
      CompletableFuture<JsonNode> slow =
          CompletableFuture.supplyAsync(
              () -> {
                try {
                  return ModernHttpCall.call(
                      d.http,
                      d.mcp(),
                      "slow",
                      ModernHttpCall.params(
                          "sleep", DaemonProcess.JSON.createObjectNode().put("seconds", 2.0)));
                } catch (Exception e) {
                  throw new RuntimeException(e);
                }
              });
      // The worker has the call: the signal finds it in flight.
      await()
          .atMost(Duration.ofSeconds(20))
          .until(
              () ->
                  DaemonProcess.JSON
                          .readTree(d.get("/status").body())
                          .at("/pools/0/inFlight")
                          .asInt()
                      == 1);
      Answers.signal(d.process().pid(), "TERM");
      await().atMost(Duration.ofSeconds(5)).until(() -> d.get("/readyz").statusCode() == 503);
      assertTrue(d.get("/readyz").body().contains("shutting down"), d.get("/readyz").body());
      assertEquals(200, d.get("/healthz").statusCode(), "alive while it drains");
      // Sent after the signal, as a balancer would before its next health check: still served.
      JsonNode late =
          ModernHttpCall.call(
              d.http,
              d.mcp(),
              "late",
              ModernHttpCall.params(
                  "echo", DaemonProcess.JSON.createObjectNode().put("text", "late")));
      assertEquals("late", late.at("/result/content/0/text").asText(), late.toString());
      JsonNode answered = slow.get(20, TimeUnit.SECONDS);
      assertEquals(
          "slept 2.0s", answered.at("/result/content/0/text").asText(), answered.toString());
      assertTrue(d.process().waitFor(30, TimeUnit.SECONDS), "exits after the drain");
      assertEquals(0, d.process().exitValue());
      assertTrue(d.stderrText().contains("draining: /readyz answers 503"), d.stderrText());
    }
  }
}
