package dev.tandem.it;

import static dev.tandem.it.SurfaceCheck.toList;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * What the whole server surface must do for the official SDK client whatever the transport: one
 * set of assertions over the report of integration-tests/node/sdk-surface-check.mjs, which each
 * transport's test produces its own way (stdio, Streamable HTTP).
 */
abstract class FullSurfaceContract {

  /** The script's report for this transport. */
  abstract JsonNode report();

  @Test
  void promptsAndResourcesFromPythonAreListedAndRead() {
    assertTrue(report().at("/capabilities/prompts").isObject(), report().get("capabilities").toString());
    assertTrue(report().at("/capabilities/resources").isObject(), report().get("capabilities").toString());

    JsonNode prompts = report().get("prompts");
    assertEquals(1, prompts.size(), prompts.toString());
    assertEquals("review", prompts.at("/0/name").asText());
    assertEquals("topic", prompts.at("/0/arguments/0/name").asText(), prompts.toString());
    assertTrue(prompts.at("/0/arguments/0/required").asBoolean(), prompts.toString());

    JsonNode got = report().get("getPrompt");
    assertEquals("user", got.at("/messages/0/role").asText(), got.toString());
    assertEquals("Please review the wire format.", got.at("/messages/0/content/text").asText(), got.toString());
    assertEquals("assistant", got.at("/messages/1/role").asText(), got.toString());
    assertEquals("Reviewing the wire format now.", got.at("/messages/1/content/text").asText(), got.toString());

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
    assertEquals("surface://greeting/ada", fromTemplate.at("/contents/0/uri").asText(), fromTemplate.toString());
    assertEquals("hello, ada, from a template", fromTemplate.at("/contents/0/text").asText(), fromTemplate.toString());
  }

  @Test
  void samplingRoundTripsThroughTheClientAndItsAnswerReachesThePythonTool() {
    JsonNode asked = sequential("sampling");
    assertEquals("what is two plus two?", asked.at("/params/messages/0/content/text").asText(), asked.toString());
    assertEquals(100, asked.at("/params/maxTokens").asInt(), asked.toString());
    JsonNode result = report().at("/calls/ask_host_model");
    assertFalse(result.path("isError").asBoolean(false), result.toString());
    assertEquals("fake model answers: what is two plus two?", result.at("/content/0/text").asText(), result.toString());
  }

  @Test
  void elicitationRoundTripsThroughTheClientAndItsAnswerReachesThePythonTool() {
    JsonNode asked = sequential("elicitation");
    assertEquals("which colour?", asked.at("/params/message").asText(), asked.toString());
    assertEquals("string", asked.at("/params/requestedSchema/properties/answer/type").asText(), asked.toString());
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
    assertEquals("file:///tandem-it/root-one\nfile:///tandem-it/root-two", result.at("/content/0/text").asText(), result.toString());
  }

  JsonNode sequential(String kind) {
    List<JsonNode> seen = new ArrayList<>();
    report().at("/handlers/" + kind).forEach(h -> {
      if (h.get("phase").asText().equals("sequential")) seen.add(h);
    });
    assertEquals(1, seen.size(), "one " + kind + " request reached the client's handler: " + report().get("handlers"));
    return seen.get(0);
  }
}
