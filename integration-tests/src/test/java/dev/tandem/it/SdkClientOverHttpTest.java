package dev.tandem.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The official MCP TypeScript SDK client over Streamable HTTP (StreamableHTTPClientTransport)
 * drives the real daemon: sessions, SSE responses, progress and DELETE as an independent client
 * implements them, not as our own tests assume.
 */
class SdkClientOverHttpTest {

  static HttpDaemon daemon;
  static JsonNode report;

  @BeforeAll
  static void runTheSdkClient() throws Exception {
    daemon = HttpDaemon.serve(null).awaitReady();
    report = NodeScript.run("sdk-http-check.mjs", List.of(daemon.mcp().toString()), 240);
  }

  @AfterAll
  static void stop() {
    if (daemon != null) daemon.close();
  }

  @Test
  void initializeNegotiatesTheLatestVersionAndASessionId() {
    assertEquals("2025-11-25", report.get("protocolVersion").asText(), report.toString());
    assertEquals(43, report.get("sessionIdLength").asInt(), "256 random bits, base64url");
    assertEquals("tandem", report.at("/serverVersion/name").asText());
    assertTrue(report.at("/capabilities/tools").isObject());
  }

  @Test
  void toolsAreListedAndCalled() {
    Set<String> names = new HashSet<>();
    report.get("tools").forEach(t -> names.add(t.get("name").asText()));
    assertTrue(
        names.containsAll(Set.of("echo", "text_stats", "fail", "count", "sleep", "shout")),
        names.toString());
    JsonNode calls = report.get("calls");
    assertEquals("hi hi", calls.at("/echo/content/0/text").asText(), calls.toString());
    assertEquals(3, calls.at("/text_stats/structuredContent/words").asInt(), calls.toString());
    assertTrue(calls.at("/fail/isError").asBoolean(), calls.toString());
    assertEquals("counted to 3", calls.at("/count/content/0/text").asText(), calls.toString());
  }

  @Test
  void progressReachesTheClientWithItsOwnToken() {
    JsonNode wire = report.at("/progressWire/count");
    assertEquals(3, wire.size(), report.toString());
    for (int i = 0; i < 3; i++) assertEquals(i + 1, wire.get(i).get("progress").asInt());
    assertEquals(
        3,
        report.at("/progress/count").size(),
        "the SDK delivered each to onprogress: " + report.get("progress"));
  }

  @Test
  void concurrentCallsEachGetTheirOwnAnswer() {
    JsonNode c = report.get("concurrent");
    assertEquals(c.get("n").asInt(), c.get("ok").asInt(), c.toString());
  }

  @Test
  void terminateSessionDeletesItAndNoErrorsCameBefore() {
    assertTrue(report.get("terminated").asBoolean(), report.toString());
    assertFalse(
        report.at("/afterTerminate/ok").asBoolean(false),
        "no request succeeds without a session: " + report.get("afterTerminate"));
    // The only client error is the deliberate request after terminating.
    assertTrue(report.get("clientErrors").size() <= 1, report.get("clientErrors").toString());
  }
}
