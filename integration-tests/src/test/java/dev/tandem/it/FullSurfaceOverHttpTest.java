package dev.tandem.it;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The official MCP TypeScript SDK client over Streamable HTTP (StreamableHTTPClientTransport),
 * declaring sampling, elicitation and roots, drives the whole server surface of the real daemon
 * (integration-tests/node/sdk-surface-check.mjs --url, against fixtures/surface): what {@link
 * FullSurfaceOverStdioTest} proves on stdio — Python prompts and resources, server→client requests
 * routed from a Python tool to the host session and back, progress with the client's own token,
 * cancellation that stops the Python task, concurrent server→client requests that each find the
 * call that asked — here with every message on an HTTP stream: the server's requests on the SSE
 * stream of the call, the client's answers and its notifications/cancelled as POSTs of their own.
 * Then the session is deleted, and SIGTERM stops the daemon with status 0 and no worker left.
 */
class FullSurfaceOverHttpTest extends FullSurfaceContract {

  @Override
  JsonNode report() {
    return report;
  }

  static HttpDaemon daemon;
  static JsonNode report;
  static JsonNode statusAfterRun;
  static List<ProcessHandle> workers;
  static int exitStatus = -1;

  @BeforeAll
  static void runTheSdkClientOverHttp() throws Exception {
    daemon = HttpDaemon.serve(SurfaceCheck.fixture()).awaitReady();
    report = SurfaceCheck.overHttp(daemon.mcp(), 180);
    statusAfterRun = DaemonProcess.JSON.readTree(daemon.get("/status").body());
    workers = daemon.process().descendants().toList();
    // SIGTERM, as an operator or a container runtime stops an HTTP daemon.
    daemon.process().destroy();
    if (daemon.process().waitFor(30, TimeUnit.SECONDS)) exitStatus = daemon.process().exitValue();
  }

  @AfterAll
  static void cleanUp() throws IOException {
    if (daemon != null) daemon.close();
    SurfaceCheck.removeMarker(report);
  }

  @Test
  void theSdkSpokeStreamableHttpWithASession() {
    assertEquals("streamable-http", report.get("transport").asText(), report.toString());
    assertEquals("2025-11-25", report.get("protocolVersion").asText(), report.toString());
    assertFalse(
        report.path("sessionId").asText("").isEmpty(),
        "the server gave the SDK a session: " + report);
    assertEquals("tandem", report.at("/serverVersion/name").asText(), report.toString());
  }

  @Test
  void serverToClientRequestsCarryNoTandemRoutingMetadata() {
    JsonNode wire = report.get("serverRequestsWire");
    Set<String> methods = new HashSet<>();
    wire.forEach(r -> methods.add(r.get("method").asText()));
    assertEquals(
        Set.of("sampling/createMessage", "elicitation/create", "roots/list"),
        methods,
        wire.toString());
    // One each in the sequential phase, four in the concurrent one: none lost, none repeated.
    assertEquals(7, wire.size(), wire.toString());
    for (JsonNode r : wire) {
      assertFalse(
          r.toString().contains("tandem/"), "a tandem/ extension key reached the host: " + r);
    }
    Set<String> ids = new HashSet<>();
    wire.forEach(
        r ->
            assertTrue(
                ids.add(r.get("id").toString()), "server→client request ids are unique: " + wire));
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
        assertEquals(
            "fake model answers: " + call.at("/arguments/prompt").asText(), text, call.toString());
      } else {
        String question = call.at("/arguments/question").asText();
        assertEquals(
            "action=accept content={\"answer\": \"fake user answers: " + question + "\"}",
            text,
            call.toString());
      }
    }
    // All four server→client requests were outstanding together before any was answered, and the
    // answers (four POSTs) went back in the reverse order of their arrival.
    List<JsonNode> asked = new ArrayList<>();
    for (String kind : List.of("sampling", "elicitation")) {
      report
          .at("/handlers/" + kind)
          .forEach(
              h -> {
                if (h.get("phase").asText().equals("concurrent")) asked.add(h);
              });
    }
    assertEquals(4, asked.size(), report.get("handlers").toString());
    for (JsonNode h : asked) {
      assertTrue(
          h.get("allOutstanding").asBoolean(),
          "all four requests were outstanding at once: " + asked);
    }
    assertEquals(4, concurrent.get("answerOrder").size(), concurrent.toString());
  }

  @Test
  void deletingTheSessionEndsItAndSigtermStopsTheDaemonCleanly() {
    assertEquals(
        true,
        report.at("/shutdown/terminated").asBoolean(false),
        "DELETE ended the session: " + report.get("shutdown"));
    assertEquals(
        0,
        statusAfterRun.get("httpSessions").asInt(-1),
        "no session left after DELETE: " + statusAfterRun);
    assertEquals(
        0,
        statusAfterRun.at("/pools/0/inFlight").asInt(-1),
        "nothing left running, the cancelled call included: " + statusAfterRun);
    assertFalse(workers.isEmpty(), "the daemon had workers");
    assertEquals(
        0, exitStatus, "SIGTERM is an orderly stop: status 0; stderr:\n" + daemon.stderrText());
    await("no worker outlives the daemon")
        .atMost(Duration.ofSeconds(5))
        .until(() -> workers.stream().noneMatch(ProcessHandle::isAlive));
  }
}
