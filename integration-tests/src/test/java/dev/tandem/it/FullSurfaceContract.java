package dev.tandem.it;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * What the whole server surface must do for the official SDK client whatever the transport: one set
 * of assertions over the report of integration-tests/node/sdk-surface-check.mjs, which each
 * transport's test produces its own way (stdio, Streamable HTTP).
 */
abstract class FullSurfaceContract {

  /** The script's report for this transport. */
  abstract JsonNode report();

  @Test
  void promptsAndResourcesFromPythonAreListedAndRead() {
    assertTrue(
        report().at("/capabilities/prompts").isObject(), report().get("capabilities").toString());
    assertTrue(
        report().at("/capabilities/resources").isObject(), report().get("capabilities").toString());

    JsonNode prompts = report().get("prompts");
    assertEquals(1, prompts.size(), prompts.toString());
    assertEquals("review", prompts.at("/0/name").asText());
    assertEquals("topic", prompts.at("/0/arguments/0/name").asText(), prompts.toString());
    assertTrue(prompts.at("/0/arguments/0/required").asBoolean(), prompts.toString());

    JsonNode got = report().get("getPrompt");
    assertEquals("user", got.at("/messages/0/role").asText(), got.toString());
    assertEquals(
        "Please review the wire format.",
        got.at("/messages/0/content/text").asText(),
        got.toString());
    assertEquals("assistant", got.at("/messages/1/role").asText(), got.toString());
    assertEquals(
        "Reviewing the wire format now.",
        got.at("/messages/1/content/text").asText(),
        got.toString());

    JsonNode resources = report().get("resources");
    assertEquals(1, resources.size(), resources.toString());
    assertEquals("surface://notes/static", resources.at("/0/uri").asText());
    assertEquals("text/plain", resources.at("/0/mimeType").asText());
    JsonNode templates = report().get("resourceTemplates");
    assertEquals(1, templates.size(), templates.toString());
    assertEquals("surface://greeting/{name}", templates.at("/0/uriTemplate").asText());

    JsonNode stat = report().at("/readResource/static");
    assertEquals("surface://notes/static", stat.at("/contents/0/uri").asText(), stat.toString());
    assertEquals("static notes from Python", stat.at("/contents/0/text").asText(), stat.toString());
    JsonNode fromTemplate = report().at("/readResource/template");
    assertEquals(
        "surface://greeting/ada",
        fromTemplate.at("/contents/0/uri").asText(),
        fromTemplate.toString());
    assertEquals(
        "hello, ada, from a template",
        fromTemplate.at("/contents/0/text").asText(),
        fromTemplate.toString());
  }

  @Test
  void samplingRoundTripsThroughTheClientAndItsAnswerReachesThePythonTool() {
    JsonNode asked = sequential("sampling");
    assertEquals(
        "what is two plus two?",
        asked.at("/params/messages/0/content/text").asText(),
        asked.toString());
    assertEquals(100, asked.at("/params/maxTokens").asInt(), asked.toString());
    JsonNode result = report().at("/calls/ask_host_model");
    assertFalse(result.path("isError").asBoolean(false), result.toString());
    assertEquals(
        "fake model answers: what is two plus two?",
        result.at("/content/0/text").asText(),
        result.toString());
  }

  @Test
  void elicitationRoundTripsThroughTheClientAndItsAnswerReachesThePythonTool() {
    JsonNode asked = sequential("elicitation");
    assertEquals("which colour?", asked.at("/params/message").asText(), asked.toString());
    assertEquals(
        "string",
        asked.at("/params/requestedSchema/properties/answer/type").asText(),
        asked.toString());
    JsonNode result = report().at("/calls/ask_user");
    assertFalse(result.path("isError").asBoolean(false), result.toString());
    assertEquals(
        "action=accept content={\"answer\": \"fake user answers: which colour?\"}",
        result.at("/content/0/text").asText(),
        result.toString());
  }

  @Test
  void rootsRoundTripThroughTheClientAndTheirAnswerReachesThePythonTool() {
    sequential("roots");
    JsonNode result = report().at("/calls/list_roots");
    assertFalse(result.path("isError").asBoolean(false), result.toString());
    assertEquals(
        "file:///tandem-it/root-one\nfile:///tandem-it/root-two",
        result.at("/content/0/text").asText(),
        result.toString());
  }

  @Test
  void progressReachesTheClientWithItsOwnToken() {
    JsonNode progress = report().get("progress");
    assertEquals(
        "took 3 steps", progress.at("/result/content/0/text").asText(), progress.toString());
    JsonNode token = progress.get("progressToken");
    assertFalse(token.isNull(), "the SDK sent a progressToken: " + progress);
    // Read off the wire, not the SDK's onprogress: SDK 1.32.2 drops progress that arrives in the
    // same read as the result (typescript-sdk#2580).
    JsonNode wire = progress.get("wire");
    assertEquals(3, wire.size(), progress.toString());
    for (int i = 0; i < 3; i++) {
      assertEquals(
          token,
          wire.get(i).get("progressToken"),
          "the client's own token on every notification: " + wire);
      assertEquals(i + 1, wire.get(i).get("progress").asInt(), wire.toString());
      assertEquals(3, wire.get(i).get("total").asInt(), wire.toString());
      assertEquals(
          "step " + (i + 1) + " of 3", wire.get(i).get("message").asText(), wire.toString());
    }
    assertEquals(
        List.of(token),
        SurfaceCheck.toList(progress.get("allProgressTokensOnWire")),
        "no token the client never gave");
    assertEquals(
        List.of(), SurfaceCheck.unexpectedClientErrors(report()), "the SDK saw nothing wrong");
  }

  @Test
  void cancellingACallStopsThePythonTask() {
    JsonNode cancel = report().get("cancel");
    assertFalse(
        cancel.get("abortedAt").isNull(),
        "the call was aborted at its first progress notification: " + cancel);
    JsonNode requestId = cancel.get("requestId");
    JsonNode notes = cancel.get("cancelledNotifications");
    assertEquals(1, notes.size(), cancel.toString());
    assertEquals(
        requestId, notes.at("/0/requestId"), "notifications/cancelled names the call: " + cancel);

    // Seen while the daemon still served the session (closing it would cancel everything
    // anyway): the task was stopped at once, long before its 50 steps of 0.1 s could finish.
    JsonNode marker = cancel.get("marker");
    assertEquals("cancelled", marker.get("content").asText(), cancel.toString());
    assertTrue(
        marker.get("msAfterAbort").asLong() < 2_500,
        "the Python task stopped " + marker.get("msAfterAbort") + " ms after the abort");

    Path file = Path.of(marker.get("path").asText());
    await("the marker written by the cancelled Python task")
        .atMost(Duration.ofSeconds(10))
        .until(() -> Files.exists(file) && Files.readString(file).equals("cancelled"));
  }

  @Test
  void theCancelledCallGetsNoAnswer() {
    JsonNode cancel = report().get("cancel");
    // The SDK settles an aborted call locally: McpError -32001 wrapping the AbortError.
    JsonNode rejection = cancel.get("rejection");
    assertNotNull(rejection, "the aborted call was rejected, not answered: " + cancel);
    assertTrue(rejection.get("message").asText().contains("AbortError"), rejection.toString());
    // And off the wire: nothing at all came back for that id for the rest of the session.
    assertTrue(
        cancel.get("responsesOnWire").isEmpty(),
        "a response for the cancelled request: " + cancel.get("responsesOnWire"));
    assertEquals(
        List.of(cancel.get("requestId")),
        SurfaceCheck.toList(report().at("/wire/unansweredIds")),
        report().get("wire").toString());
    assertTrue(
        report().at("/wire/duplicateResponseIds").isEmpty(), report().get("wire").toString());
    assertTrue(
        report().at("/wire/responsesToUnknownIds").isEmpty(), report().get("wire").toString());
    // Progress stops once the cancellation reaches the tool: what was on its way, or sent while
    // the cancel travelled (through a bridge, or on a loaded machine, more than one ~100 ms step),
    // but nothing a second later, when the tool would still be on step 10 of 50.
    double abortedAt = cancel.get("abortedAt").asDouble();
    for (JsonNode progress : cancel.get("progressAfterAbort")) {
      assertTrue(
          progress.get("at").asDouble() - abortedAt < 1_000,
          "progress long after the abort: " + cancel.get("progressAfterAbort"));
    }
    assertEquals(
        List.of(), SurfaceCheck.unexpectedClientErrors(report()), "the SDK saw nothing wrong");
  }

  JsonNode sequential(String kind) {
    List<JsonNode> seen = new ArrayList<>();
    report()
        .at("/handlers/" + kind)
        .forEach(
            h -> {
              if (h.get("phase").asText().equals("sequential")) seen.add(h);
            });
    assertEquals(
        1,
        seen.size(),
        "one " + kind + " request reached the client's handler: " + report().get("handlers"));
    return seen.get(0);
  }
}
