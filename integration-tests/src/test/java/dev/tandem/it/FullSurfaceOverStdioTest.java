package dev.tandem.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
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
 * against fixtures/surface): prompts and resources written in Python, server→client requests routed
 * from a Python tool to the host and back, progress, cancellation, and concurrent server→client
 * requests that must each find the call that asked.
 */
class FullSurfaceOverStdioTest extends FullSurfaceContract {

  @Override
  JsonNode report() {
    return report;
  }

  static JsonNode report;

  @BeforeAll
  static void runTheSdkClient() throws Exception {
    report =
        NodeScript.run(
            "sdk-surface-check.mjs",
            List.of(Tandem.BIN.toString(), "serve", "--config", fixture().toString()),
            180);
  }

  /** The script leaves the marker file for us to check; remove its temporary directory. */
  @AfterAll
  static void removeTheMarker() throws IOException {
    if (report == null) return;
    Path marker = Path.of(report.at("/cancel/marker/path").asText("/nonexistent"));
    Path dir = marker.getParent();
    if (dir != null
        && dir.getFileName() != null
        && dir.getFileName().toString().startsWith("tandem-surface-")) {
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
    assertEquals(
        Set.of("sampling/createMessage", "elicitation/create", "roots/list"),
        methods,
        wire.toString());
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
    // All four server→client requests were outstanding together before any was answered, and
    // the answers went back in the reverse order of their arrival.
    List<JsonNode> asked = new ArrayList<>();
    report
        .at("/handlers/sampling")
        .forEach(
            h -> {
              if (h.get("phase").asText().equals("concurrent")) asked.add(h);
            });
    report
        .at("/handlers/elicitation")
        .forEach(
            h -> {
              if (h.get("phase").asText().equals("concurrent")) asked.add(h);
            });
    assertEquals(4, asked.size(), report.get("handlers").toString());
    for (JsonNode h : asked) {
      assertTrue(
          h.get("allOutstanding").asBoolean(),
          "all four requests were outstanding at once: " + asked);
    }
    JsonNode order = concurrent.get("answerOrder");
    assertEquals(4, order.size(), order.toString());
  }

  @Test
  void closingStdinEndsTheDaemonWithStatusZero() {
    assertEquals(0, report.at("/shutdown/exit/code").asInt(-1), report.get("shutdown").toString());
  }
}
