package dev.tandem.it;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The official MCP TypeScript SDK client, declaring sampling, elicitation and roots, drives the
 * whole server surface of the real daemon over stdio (integration-tests/node/sdk-surface-check.mjs
 * against fixtures/surface): prompts and resources written in Python, server→client requests
 * routed from a Python tool to the host and back, progress, cancellation, and concurrent
 * server→client requests that must each find the call that asked.
 */
class FullSurfaceOverStdioTest extends FullSurfaceContract {

  @Override
  JsonNode report() {
    return report;
  }


  static JsonNode report;

  @BeforeAll
  static void runTheSdkClient() throws Exception {
    report = NodeScript.run("sdk-surface-check.mjs", List.of(Tandem.BIN.toString(), "serve", "--config", fixture().toString()), 180);
  }

  /** The script leaves the marker file for us to check; remove its temporary directory. */
  @AfterAll
  static void removeTheMarker() throws IOException {
    if (report == null) return;
    Path marker = Path.of(report.at("/cancel/marker/path").asText("/nonexistent"));
    Path dir = marker.getParent();
    if (dir != null && dir.getFileName() != null && dir.getFileName().toString().startsWith("tandem-surface-")) {
      try (Stream<Path> files = Files.walk(dir)) {
        for (Path p : files.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
      }
    }
  }

  /** fixtures/surface as Maven copied it to the test classpath. */
  private static Path fixture() throws URISyntaxException {
    var url = FullSurfaceOverStdioTest.class.getResource("/fixtures/surface/tandem.toml");
    assertNotNull(url, "fixtures/surface/tandem.toml is on the test classpath");
    return Path.of(url.toURI());
  }

  @Test
  void serverToClientRequestsCarryNoTandemRoutingMetadata() {
    JsonNode wire = report.get("serverRequestsWire");
    Set<String> methods = new HashSet<>();
    wire.forEach(r -> methods.add(r.get("method").asText()));
    assertEquals(Set.of("sampling/createMessage", "elicitation/create", "roots/list"), methods, wire.toString());
    for (JsonNode r : wire) {
      assertFalse(r.toString().contains("tandem/"), "a tandem/ extension key reached the host: " + r);
    }
    Set<String> ids = new HashSet<>();
    wire.forEach(r -> assertTrue(ids.add(r.get("id").toString()), "server→client request ids are unique: " + wire));
  }

  @Test
  void progressReachesTheClientWithItsOwnToken() {
    JsonNode progress = report.get("progress");
    assertEquals("took 3 steps", progress.at("/result/content/0/text").asText(), progress.toString());
    JsonNode token = progress.get("progressToken");
    assertFalse(token.isNull(), "the SDK sent a progressToken: " + progress);
    // Read off the wire, not the SDK's onprogress: SDK 1.32.2 drops progress that arrives in the
    // same read as the result (typescript-sdk#2580).
    JsonNode wire = progress.get("wire");
    assertEquals(3, wire.size(), progress.toString());
    for (int i = 0; i < 3; i++) {
      assertEquals(token, wire.get(i).get("progressToken"), "the client's own token on every notification: " + wire);
      assertEquals(i + 1, wire.get(i).get("progress").asInt(), wire.toString());
      assertEquals(3, wire.get(i).get("total").asInt(), wire.toString());
      assertEquals("step " + (i + 1) + " of 3", wire.get(i).get("message").asText(), wire.toString());
    }
    assertEquals(List.of(token), SurfaceCheck.toList(progress.get("allProgressTokensOnWire")), "no token the client never gave");
    assertEquals(List.of(), SurfaceCheck.unexpectedClientErrors(report), "the SDK saw nothing wrong");
  }

  @Test
  void cancellingACallStopsThePythonTask() {
    JsonNode cancel = report.get("cancel");
    assertFalse(cancel.get("abortedAt").isNull(), "the call was aborted at its first progress notification: " + cancel);
    JsonNode requestId = cancel.get("requestId");
    JsonNode notes = cancel.get("cancelledNotifications");
    assertEquals(1, notes.size(), cancel.toString());
    assertEquals(requestId, notes.at("/0/requestId"), "notifications/cancelled names the call: " + cancel);

    // Seen while the daemon was still running (closing stdin would cancel everything anyway):
    // the task was stopped at once, long before its 50 steps of 0.1 s could have finished.
    JsonNode marker = cancel.get("marker");
    assertEquals("cancelled", marker.get("content").asText(), cancel.toString());
    assertTrue(marker.get("msAfterAbort").asLong() < 2_500, "the Python task stopped " + marker.get("msAfterAbort") + " ms after the abort");

    Path file = Path.of(marker.get("path").asText());
    await("the marker written by the cancelled Python task")
        .atMost(Duration.ofSeconds(10))
        .until(() -> Files.exists(file) && Files.readString(file).equals("cancelled"));
  }

  @Test
  void theCancelledCallGetsNoAnswer() {
    JsonNode cancel = report.get("cancel");
    // The SDK settles an aborted call locally: McpError -32001 wrapping the AbortError.
    JsonNode rejection = cancel.get("rejection");
    assertNotNull(rejection, "the aborted call was rejected, not answered: " + cancel);
    assertTrue(rejection.get("message").asText().contains("AbortError"), rejection.toString());
    // And off the wire: nothing at all came back for that id for the rest of the session.
    assertTrue(cancel.get("responsesOnWire").isEmpty(), "a response for the cancelled request: " + cancel.get("responsesOnWire"));
    assertEquals(List.of(cancel.get("requestId")), SurfaceCheck.toList(report.at("/wire/unansweredIds")), report.get("wire").toString());
    assertTrue(report.at("/wire/duplicateResponseIds").isEmpty(), report.get("wire").toString());
    assertTrue(report.at("/wire/responsesToUnknownIds").isEmpty(), report.get("wire").toString());
    // At most one progress notification already on its way when the abort was sent.
    assertTrue(cancel.get("progressAfterAbort").size() <= 1, "progress after the abort: " + cancel.get("progressAfterAbort"));
    assertEquals(List.of(), SurfaceCheck.unexpectedClientErrors(report), "the SDK saw nothing wrong");
  }

  @Test
  void concurrentServerToClientRequestsEachAnswerTheRightCall() {
    JsonNode concurrent = report.get("concurrent");
    JsonNode calls = concurrent.get("calls");
    assertEquals(4, calls.size(), concurrent.toString());
    for (JsonNode call : calls) {
      String text = call.at("/result/content/0/text").asText();
      assertFalse(call.at("/result/isError").asBoolean(false), call.toString());
      if (call.get("name").asText().equals("ask_host_model")) {
        assertEquals("fake model answers: " + call.at("/arguments/prompt").asText(), text, call.toString());
      } else {
        String question = call.at("/arguments/question").asText();
        assertEquals("action=accept content={\"answer\": \"fake user answers: " + question + "\"}", text, call.toString());
      }
    }
    // All four server→client requests were outstanding together before any was answered, and
    // the answers went back in the reverse order of their arrival.
    List<JsonNode> asked = new ArrayList<>();
    report.at("/handlers/sampling").forEach(h -> {
      if (h.get("phase").asText().equals("concurrent")) asked.add(h);
    });
    report.at("/handlers/elicitation").forEach(h -> {
      if (h.get("phase").asText().equals("concurrent")) asked.add(h);
    });
    assertEquals(4, asked.size(), report.get("handlers").toString());
    for (JsonNode h : asked) {
      assertTrue(h.get("allOutstanding").asBoolean(), "all four requests were outstanding at once: " + asked);
    }
    JsonNode order = concurrent.get("answerOrder");
    assertEquals(4, order.size(), order.toString());
  }

  @Test
  void closingStdinEndsTheDaemonWithStatusZero() {
    assertEquals(0, report.at("/shutdown/exit/code").asInt(-1), report.get("shutdown").toString());
  }
}
