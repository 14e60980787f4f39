package dev.tandem.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * A result kept as bytes gets an envelope's members without being parsed: the same JSON a tree with
 * those members would be, and no member written twice.
 */
class RawJsonEnvelopeTest {

  private static final byte[] MEMBERS =
      "\"resultType\":\"complete\",\"_meta\":{\"x\":1}".getBytes(StandardCharsets.UTF_8);

  private static RawJson result(String json) {
    byte[] frame =
        ("{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":" + json + "}").getBytes(StandardCharsets.UTF_8);
    Message.Result r =
        assertInstanceOf(
            Message.Result.class,
            EnvelopeDecoder.decode(
                frame,
                0,
                frame.length,
                new EnvelopeDecoder.Passthrough() {
                  @Override
                  public boolean result(JsonNode id) {
                    return true;
                  }
                }));
    return assertInstanceOf(RawJson.class, r.result());
  }

  @Test
  void membersGoInFrontOfTheResultsOwnAndReadAsOneObject() throws Exception {
    RawJson raw =
        result("{ \"content\" : [{\"type\":\"text\",\"text\":\"}\"}], \"isError\":false }");
    RawJson enveloped = raw.withMembersFirst(MEMBERS, Json.object().put("resultType", "complete"));
    JsonNode tree = Json.MAPPER.readTree(enveloped.bytes());
    assertEquals(
        Json.MAPPER.readTree(
            "{\"resultType\":\"complete\",\"_meta\":{\"x\":1},\"content\":[{\"type\":\"text\",\"text\":\"}\"}],\"isError\":false}"),
        tree);
    assertEquals("complete", enveloped.get("resultType").asText());
    assertFalse(enveloped.get("isError").asBoolean(true));
    assertEquals(tree, enveloped.tree());
  }

  @Test
  void anEmptyResultGetsNoStrayComma() throws Exception {
    RawJson enveloped = result("{ }").withMembersFirst(MEMBERS, Json.object());
    assertEquals(
        Json.MAPPER.readTree("{\"resultType\":\"complete\",\"_meta\":{\"x\":1}}"),
        Json.MAPPER.readTree(enveloped.bytes()));
  }

  @Test
  void onlyTopLevelMembersCount() {
    RawJson raw =
        result(
            "{\"content\":[{\"_meta\":{},\"text\":\"resultType\"}],\"structuredContent\":{\"_meta\":1},\"isError\":false}");
    assertFalse(raw.hasMember("_meta"));
    assertFalse(raw.hasMember("resultType"));
    assertTrue(raw.hasMember("content"));
    assertTrue(raw.hasMember("isError"));
    assertTrue(result("{\"content\":[],\"_meta\":{\"a\":\"\\\"\"}}").hasMember("_meta"));
    assertTrue(result("{\"a\":\"x\\\\\",\"resultType\":\"task\"}").hasMember("resultType"));
  }

  @Test
  void anAbsentMemberReadsAsAbsentAndAPresentOneAsItsValue() {
    RawJson raw = result("{\"content\":[{\"type\":\"text\",\"text\":\"isError\"}]}");
    assertEquals(null, raw.get("isError"));
    assertTrue(raw.path("isError").isMissingNode());
    assertEquals("text", raw.path("content").get(0).path("type").asText());
    assertEquals(
        1, result("{\"content\":[],\"\\u00e9\":{\"a\":1}}").get("\u00e9").path("a").asInt());
  }

  @Test
  void aNameWrittenWithEscapesCountsAsPresent() {
    assertTrue(result("{\"\\u005fmeta\":{},\"content\":[]}").hasMember("_meta"));
  }
}
