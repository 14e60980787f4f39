package dev.tandem.supervisor.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.protocol.EnvelopeDecoder;
import dev.tandem.protocol.Json;
import dev.tandem.protocol.Message;
import dev.tandem.protocol.ModernEra;
import dev.tandem.protocol.RawJson;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * What a 2026-07-28 call hands on: the worker gets the host's argument bytes and only the {@code
 * _meta} it reads; a requestState digests those bytes as the tree they spell.
 */
class ModernPayloadTest {

  private static ObjectNode decodedParams(String params) {
    byte[] frame =
        ("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":" + params + "}")
            .getBytes(StandardCharsets.UTF_8);
    Message.Request r =
        assertInstanceOf(
            Message.Request.class,
            EnvelopeDecoder.decode(frame, 0, frame.length, EnvelopeDecoder.TOOL_ARGUMENTS));
    return r.params();
  }

  @Test
  void theWorkerGetsTheClientsCapabilitiesAndProgressTokenNotTheDaemonsMeta() {
    ObjectNode params =
        decodedParams(
            "{\"name\":\"echo\",\"arguments\":{\"text\":\"hi\"},\"_meta\":{"
                + "\"io.modelcontextprotocol/protocolVersion\":\"2026-07-28\","
                + "\"io.modelcontextprotocol/clientInfo\":{\"name\":\"c\",\"version\":\"1\"},"
                + "\"io.modelcontextprotocol/clientCapabilities\":{\"sampling\":{}},"
                + "\"io.modelcontextprotocol/logLevel\":\"debug\",\"progressToken\":7}}");
    ObjectNode sent = RoundTrips.forWorker(params, false);
    assertEquals(
        Json.object()
            .<ObjectNode>set(
                ModernEra.CLIENT_CAPABILITIES, Json.object().set("sampling", Json.object()))
            .put("progressToken", 7),
        sent.get("_meta"));
    assertInstanceOf(RawJson.class, sent.get("arguments"));
    assertEquals("echo", sent.get("name").asText());
    // The request itself is untouched: its _meta still answers the daemon's own questions.
    assertTrue(params.get("_meta").has(ModernEra.PROTOCOL_VERSION));
  }

  @Test
  void paramsWithNothingToDropAreHandedOnAsTheyAre() {
    ObjectNode params =
        decodedParams(
            "{\"name\":\"echo\",\"arguments\":{},\"_meta\":{\"io.modelcontextprotocol/clientCapabilities\":{}}}");
    assertSame(params, RoundTrips.forWorker(params, false));
    ObjectNode retry =
        RoundTrips.forWorker(
            decodedParams("{\"name\":\"echo\",\"requestState\":\"t\",\"inputResponses\":{}}"),
            true);
    assertFalse(retry.has("requestState"));
    assertFalse(retry.has("inputResponses"));
  }

  @Test
  void argumentsKeptAsBytesDigestAsTheirTreeHoweverSpaced() {
    String asBytes =
        RequestState.digest(
            decodedParams("{\"name\":\"t\",\"arguments\":{ \"b\" : [1, 2], \"a\":\"x\" }}"));
    String asTree =
        RequestState.digest(
            Json.object()
                .put("name", "t")
                .set(
                    "arguments",
                    Json.object()
                        .put("a", "x")
                        .set("b", Json.MAPPER.createArrayNode().add(1).add(2))));
    assertEquals(asTree, asBytes);
  }
}
