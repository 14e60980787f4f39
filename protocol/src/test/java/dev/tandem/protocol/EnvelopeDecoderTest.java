package dev.tandem.protocol;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/** Payloads kept as bytes change nothing a peer can see: the same verdicts, the same bytes out. */
class EnvelopeDecoderTest {

  /** Every payload that may stay bytes does. */
  private static final EnvelopeDecoder.Passthrough ALL =
      new EnvelopeDecoder.Passthrough() {
        @Override
        public boolean arguments(String method) {
          return true;
        }

        @Override
        public boolean result(JsonNode id) {
          return true;
        }
      };

  @TestFactory
  Stream<DynamicTest> everySharedVectorGetsTheVerdictOfTheTreeDecoder() throws IOException {
    List<SharedVectorsTest.Vector> vectors = SharedVectorsTest.load();
    return vectors.stream()
        .filter(v -> v.maxBytes() >= v.frame().length)
        .map(
            v ->
                DynamicTest.dynamicTest(
                    v.name(),
                    () -> {
                      Decoded fast = EnvelopeDecoder.decode(v.frame(), 0, v.frame().length, ALL);
                      assertSame(MessageCodec.decode(v.frame()), fast);
                      SharedVectorsTest.assertVerdict(v, expanded(fast));
                    }));
  }

  @Test
  void toolArgumentsStayTheBytesTheHostSentAndAreSplicedIntoTheWorkersFrame() {
    String args = "{ \"text\" : \"h\\u00e9llo\", \"n\": [1, 2.50, {\"deep\": null}] }";
    byte[] frame =
        ("{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"tools/call\",\"params\":{\"name\":\"echo\","
                + "\"arguments\":"
                + args
                + ",\"_meta\":{\"progressToken\":3}}}")
            .getBytes(StandardCharsets.UTF_8);
    var request =
        assertInstanceOf(
            Message.Request.class,
            EnvelopeDecoder.decode(frame, 0, frame.length, EnvelopeDecoder.TOOL_ARGUMENTS));
    var raw = assertInstanceOf(RawJson.class, request.params().get("arguments"));
    assertArrayEquals(args.getBytes(StandardCharsets.UTF_8), raw.bytes());
    assertEquals(3, request.params().path("_meta").path("progressToken").asInt());

    ObjectNode sent = Json.withMeta(request.params(), "progressToken", Json.NODES.numberNode(1));
    String out =
        new String(
            MessageCodec.encode(new Message.Request(Json.NODES.numberNode(1), "tools/call", sent)),
            StandardCharsets.UTF_8);
    assertEquals(
        "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"echo\","
            + "\"arguments\":"
            + args
            + ",\"_meta\":{\"progressToken\":1}}}\n",
        out);
  }

  @Test
  void aRawResultStillAnswersForItsTopLevelScalarsAndParsesTheRestOnDemand() {
    byte[] frame =
        "{\"jsonrpc\":\"2.0\",\"id\":4,\"result\":{\"content\":[{\"type\":\"text\",\"text\":\"no\"}],\"isError\":true}}"
            .getBytes(StandardCharsets.UTF_8);
    var result =
        assertInstanceOf(Message.Result.class, EnvelopeDecoder.decode(frame, 0, frame.length, ALL));
    var raw = assertInstanceOf(RawJson.class, result.result());
    assertTrue(raw.path("isError").asBoolean(false));
    assertEquals("no", raw.path("content").get(0).path("text").asText());
    assertTrue(RawJson.isObject(raw));
    assertEquals(
        "{\"jsonrpc\":\"2.0\",\"id\":4,\"result\":{\"content\":[{\"type\":\"text\",\"text\":\"no\"}],\"isError\":true}}\n",
        new String(
            MessageCodec.encode(new Message.Result(result.id(), raw)), StandardCharsets.UTF_8));
  }

  @Test
  void aResultTheLinkDidNotAskToKeepAsBytesIsATree() {
    byte[] frame =
        "{\"jsonrpc\":\"2.0\",\"id\":4,\"result\":{\"tools\":[]}}".getBytes(StandardCharsets.UTF_8);
    var result =
        assertInstanceOf(
            Message.Result.class,
            EnvelopeDecoder.decode(frame, 0, frame.length, new EnvelopeDecoder.Passthrough() {}));
    assertTrue(result.result().isObject());
  }

  @Test
  void malformedArgumentsAreAnsweredAsTheTreeDecoderAnswersThem() {
    for (String line :
        List.of(
            "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"arguments\":{\"a\":}}}",
            "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"arguments\":{\"a\":1}}} x",
            "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"arguments\":{\"a\":\"\u0001\"}}}",
            "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"arguments\":"
                + "[".repeat(3000)
                + "]".repeat(3000)
                + "}}",
            "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"arguments\":{\"a\":"
                + "{\"b\":".repeat(3000)
                + "1"
                + "}".repeat(3000)
                + "}}}",
            "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"arguments\":{\"a\":1}}")) {
      byte[] frame = line.getBytes(StandardCharsets.UTF_8);
      assertSame(
          MessageCodec.decode(frame),
          EnvelopeDecoder.decode(frame, 0, frame.length, EnvelopeDecoder.TOOL_ARGUMENTS));
    }
    byte[] badUtf8 =
        "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"arguments\":{\"a\":\"\u00e9\"}}}"
            .getBytes(StandardCharsets.UTF_8);
    badUtf8[badUtf8.length - 6] = (byte) 0xff;
    assertSame(
        MessageCodec.decode(badUtf8),
        EnvelopeDecoder.decode(badUtf8, 0, badUtf8.length, EnvelopeDecoder.TOOL_ARGUMENTS));
  }

  /** The same kind of verdict with the same content, payloads compared as trees. */
  private static void assertSame(Decoded tree, Decoded fast) {
    assertEquals(tree.getClass(), fast.getClass(), "verdict for " + tree);
    if (tree instanceof Decoded.Invalid a && fast instanceof Decoded.Invalid b) {
      assertEquals(a.code(), b.code());
      assertEquals(a.reason(), b.reason());
      assertEquals(a.id(), b.id());
    } else if (tree instanceof Message) {
      assertEquals(
          new String(MessageCodec.encode((Message) tree), StandardCharsets.UTF_8),
          new String(MessageCodec.encode((Message) expanded(fast)), StandardCharsets.UTF_8));
    }
  }

  private static Decoded expanded(Decoded d) {
    return switch (d) {
      case Message.Request r
          when r.params() != null && r.params().get("arguments") instanceof RawJson raw ->
          new Message.Request(
              r.id(), r.method(), r.params().deepCopy().set("arguments", raw.tree()));
      case Message.Result r when r.result() instanceof RawJson raw ->
          new Message.Result(r.id(), raw.tree());
      default -> d;
    };
  }
}
