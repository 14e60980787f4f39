package dev.tandem.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A 2026-07-28 round trip whose legs land on different replicas, as they do behind a round-robin
 * balancer: two real daemons, each leg sent to the other one than the leg before. With a shared
 * {@code TANDEM_STATE_KEY} the call completes (the replica that never saw it replays it from the
 * answers its requestState carries); with per-process keys the second leg is refused, saying what
 * to set.
 */
class RequestStateAcrossReplicasTest {

  static final String TOOL = "test_input_required_result_multi_round";
  static final String KEY = "replicas-it-key-0123456789abcdefghijklmnopqrstuv";

  @Test
  void withASharedKeyEachLegMayLandOnAnotherReplica() throws Exception {
    Map<String, String> env = Map.of("TANDEM_STATE_KEY", KEY);
    try (HttpDaemon a = HttpDaemon.serve(ModernEraOverHttpTest.CONFIG, env).awaitReady();
        HttpDaemon b = HttpDaemon.serve(ModernEraOverHttpTest.CONFIG, env).awaitReady()) {
      JsonNode first = leg(a, a.mcp(), null, null);
      assertEquals("input_required", first.at("/result/resultType").asText(), first.toString());
      assertTrue(first.at("/result/inputRequests").has("step1"), first.toString());

      JsonNode second =
          leg(
              b,
              b.mcp(),
              first.at("/result/requestState").asText(),
              answer("step1", "name", "Ada"));
      assertEquals("input_required", second.at("/result/resultType").asText(), second.toString());
      assertTrue(second.at("/result/inputRequests").has("step2"), second.toString());

      JsonNode third =
          leg(
              a,
              a.mcp(),
              second.at("/result/requestState").asText(),
              answer("step2", "color", "teal"));
      assertEquals(
          "Multi-round complete for Ada who likes teal",
          third.at("/result/content/0/text").asText(),
          third.toString());
      assertTrue(
          a.stderrText().contains("requestState key: 1 key from TANDEM_STATE_KEY"), a.stderrText());
      assertTrue(!a.stderrText().contains(KEY) && !b.stderrText().contains(KEY), "never logged");
    }
  }

  @Test
  void withPerProcessKeysTheOtherReplicaRefusesClearly() throws Exception {
    try (HttpDaemon a = HttpDaemon.serve(ModernEraOverHttpTest.CONFIG).awaitReady();
        HttpDaemon b = HttpDaemon.serve(ModernEraOverHttpTest.CONFIG).awaitReady()) {
      JsonNode first = leg(a, a.mcp(), null, null);
      assertEquals("input_required", first.at("/result/resultType").asText(), first.toString());
      JsonNode refused =
          leg(
              b,
              b.mcp(),
              first.at("/result/requestState").asText(),
              answer("step1", "name", "Ada"));
      assertEquals(-32602, refused.at("/error/code").asInt(), refused.toString());
      String message = refused.at("/error/message").asText();
      assertTrue(message.contains("issued by another tandem replica"), message);
      assertTrue(message.contains("TANDEM_STATE_KEY"), message);
      // The replica that issued it still takes it: the key is per process, not broken.
      JsonNode resumed =
          leg(
              a,
              a.mcp(),
              first.at("/result/requestState").asText(),
              answer("step1", "name", "Ada"));
      assertEquals("input_required", resumed.at("/result/resultType").asText(), resumed.toString());
      assertTrue(resumed.at("/result/inputRequests").has("step2"), resumed.toString());
    }
  }

  private static JsonNode leg(HttpDaemon d, URI mcp, String state, ObjectNode responses)
      throws Exception {
    ObjectNode params = ModernHttpCall.params(TOOL, DaemonProcess.JSON.createObjectNode());
    if (state != null) params.put("requestState", state);
    if (responses != null) params.set("inputResponses", responses);
    return ModernHttpCall.call(d.http, mcp, "leg", params);
  }

  private static ObjectNode answer(String key, String field, String value) {
    ObjectNode responses = DaemonProcess.JSON.createObjectNode();
    ObjectNode r = responses.putObject(key).put("action", "accept");
    r.putObject("content").put(field, value);
    return responses;
  }
}
