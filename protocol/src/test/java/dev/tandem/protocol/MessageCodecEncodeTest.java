package dev.tandem.protocol;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * The streamed frame is byte for byte the envelope tree serialized by the mapper, plus a newline.
 */
class MessageCodecEncodeTest {

  private static byte[] viaTree(Message m) throws Exception {
    byte[] json = Json.MAPPER.writeValueAsBytes(MessageCodec.toTree(m));
    byte[] frame = Arrays.copyOf(json, json.length + 1);
    frame[json.length] = '\n';
    return frame;
  }

  @Test
  void everyKindOfMessageEncodesAsItsTreeWould() throws Exception {
    ObjectNode params = Json.object().put("name", "echo");
    params
        .putObject("arguments")
        .put("text", "h\u00e9llo \"q\" \n\u2028 \ud83d\ude00")
        .putNull("n")
        .putArray("a")
        .add(1.5)
        .add(-2);
    params.putObject("_meta").put("progressToken", 7);
    ObjectNode kinds = params.putObject("kinds");
    kinds
        .put("int", 1)
        .put("long", 1L << 40)
        .put("big", new BigInteger("98765432109876543210"))
        .put("double", 0.1)
        .put("float", 1.5f)
        .put("decimal", new java.math.BigDecimal("1.10"))
        .put("short", (short) 3)
        .put("t", true)
        .put("f", false)
        .put("bytes", new byte[] {1, 2, 3})
        .putPOJO("pojo", java.util.List.of("p", 1))
        .putRawValue("raw", new com.fasterxml.jackson.databind.util.RawValue("{\"r\":1}"));
    kinds.putArray("empty");
    kinds.putObject("nested").putArray("deep").addArray().addObject().putNull("x");
    ObjectNode data = Json.object().put("uri", "file:///x");
    Message[] messages = {
      new Message.Request(Json.NODES.numberNode(5), "tools/call", params),
      new Message.Request(Json.NODES.numberNode(Long.MAX_VALUE), "ping", null),
      new Message.Request(
          Json.NODES.numberNode(new BigInteger("123456789012345678901234567890")), "ping", null),
      new Message.Request(Json.NODES.textNode("id-\"1\""), "tools/list", Json.object()),
      new Message.Notification("notifications/initialized", null),
      new Message.Notification("notifications/progress", Json.object().put("progress", 0.5)),
      new Message.Result(Json.NODES.textNode("a"), Json.object().put("ok", true)),
      new Message.Result(Json.NODES.numberNode(3), null),
      new Message.Result(Json.NODES.numberNode(3), Json.NODES.arrayNode().add("x")),
      new Message.Failure(Json.NODES.numberNode(9), RpcError.methodNotFound("nope")),
      new Message.Failure(
          NullNode.instance, new RpcError(RpcError.PARSE_ERROR, "Parse error: x", null)),
      new Message.Failure(null, new RpcError(-32002, "Resource not found", data)),
    };
    for (Message m : messages) {
      byte[] expected = viaTree(m);
      assertArrayEquals(
          expected, MessageCodec.encode(m), () -> new String(expected, StandardCharsets.UTF_8));
      FrameBuffer scratch = MessageCodec.encodeInScratch(m);
      assertArrayEquals(expected, Arrays.copyOf(scratch.array(), scratch.length()));
    }
  }

  @Test
  void theScratchBufferIsReusedAndABigFrameDoesNotKeepItsMemory() {
    ObjectNode big = Json.object().put("text", "x".repeat(1 << 20));
    FrameBuffer first =
        MessageCodec.encodeInScratch(new Message.Result(Json.NODES.numberNode(1), big));
    assertEquals((1 << 20) + 46, first.length());
    FrameBuffer second =
        MessageCodec.encodeInScratch(new Message.Result(Json.NODES.numberNode(2), Json.object()));
    assertEquals(first, second, "one buffer per thread");
    assertEquals(
        "{\"jsonrpc\":\"2.0\",\"id\":2,\"result\":{}}\n",
        new String(second.array(), 0, second.length(), StandardCharsets.UTF_8));
    assertEquals(true, second.array().length <= FrameBuffer.KEEP_AT_MOST);
  }
}
