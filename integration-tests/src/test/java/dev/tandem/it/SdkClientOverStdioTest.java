package dev.tandem.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The official MCP TypeScript SDK client, which nobody here wrote, drives the real daemon over
 * stdio: the proof that tandem speaks MCP as hosts do, not just as our own tests do.
 */
class SdkClientOverStdioTest {

  static JsonNode report;
  static Map<String, JsonNode> tools = new HashMap<>();

  @BeforeAll
  static void runTheSdkClient() throws Exception {
    report = NodeScript.run("sdk-stdio-check.mjs", List.of(Tandem.BIN.toString(), "serve"), 240);
    report.path("tools").forEach(t -> tools.put(t.get("name").asText(), t));
  }

  @Test
  void serverIdentifiesItselfAsTandemWithToolsCapability() {
    assertEquals("tandem", report.at("/serverVersion/name").asText(), report.toString());
    assertTrue(report.at("/capabilities/tools").isObject(), report.toString());
  }

  @Test
  void schemasAreDerivedFromPythonTypeHints() {
    JsonNode echo = tools.get("echo");
    assertNotNull(echo, "echo is listed: " + tools.keySet());
    assertEquals("string", echo.at("/inputSchema/properties/text/type").asText());
    assertEquals("integer", echo.at("/inputSchema/properties/times/type").asText());
    assertEquals(1, echo.at("/inputSchema/properties/times/default").asInt());
    assertEquals(
        List.of("text"),
        DaemonProcess.JSON.convertValue(echo.at("/inputSchema/required"), List.class));
    assertFalse(echo.path("description").asText().isBlank(), "the docstring is the description");
    JsonNode stats = tools.get("text_stats");
    assertEquals(
        "integer", stats.at("/outputSchema/properties/words/type").asText(), stats.toString());
    assertEquals("number", tools.get("sleep").at("/inputSchema/properties/seconds/type").asText());
  }

  @Test
  void eachExampleToolAnswersAsDesignSays() {
    JsonNode calls = report.get("calls");
    assertEquals("hi hi", calls.at("/echo/content/0/text").asText(), calls.toString());
    assertEquals(3, calls.at("/text_stats/structuredContent/words").asInt(), calls.toString());
    assertEquals(2, calls.at("/text_stats/structuredContent/lines").asInt(), calls.toString());
    assertTrue(calls.at("/fail/isError").asBoolean(), calls.toString());
    assertTrue(calls.at("/fail/content/0/text").asText().contains("boom"), calls.toString());
    assertEquals(
        "HEY",
        calls.at("/shout/content/0/text").asText(),
        "print() in a tool did not corrupt the wire");
    assertFalse(calls.at("/echo/isError").asBoolean(false));
  }

  @Test
  void progressFromPythonReachesTheClientWithItsOwnToken() {
    // Read off the wire, not the SDK's onprogress: SDK 1.32.2 drops progress that arrives in the
    // same read as the result (typescript-sdk#2580).
    JsonNode wire = report.at("/progressWire/count");
    assertEquals(3, wire.size(), report.toString());
    JsonNode token = wire.get(0).get("progressToken");
    for (int i = 0; i < 3; i++) {
      assertEquals(i + 1, wire.get(i).get("progress").asInt());
      assertEquals(
          token, wire.get(i).get("progressToken"), "the client's own token on every notification");
    }
    assertTrue(
        report.path("clientErrors").isEmpty(),
        "no progress with a token the client never gave: " + report.get("clientErrors"));
  }

  @Test
  void closingStdinEndsTheDaemonWithStatusZero() {
    assertEquals(0, report.at("/shutdown/exit/code").asInt(-1), report.get("shutdown").toString());
  }

  @Test
  void twoHundredConcurrentCallsRunConcurrentlyNotInAQueue() {
    JsonNode c = report.get("concurrent");
    assertEquals(200, c.get("ok").asInt(), c.toString());
    // Serially this is 200 x 0.2 s = 40 s; concurrently it is a little over 0.2 s.
    assertTrue(
        c.get("wallMs").asLong() < 5_000,
        "200 concurrent 0.2 s calls took " + c.get("wallMs") + " ms");
  }
}
