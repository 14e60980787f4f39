package dev.tandem.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every kind of bad input a host (or a person typing into the pipe) can send gets its precise
 * JSON-RPC error or isError result, and the daemon goes on serving: after each case, a ping and a
 * real tool call still work.
 */
class BadInputOnStdinTest {

  static final Duration DEADLINE = Duration.ofSeconds(30);
  static DaemonProcess daemon;

  @BeforeAll
  static void start(@TempDir Path dir) throws Exception {
    Path config =
        Tandem.config(
            dir,
            """
        [server]
        max_frame_bytes = 4096
        """
                + Tandem.examplesPool("examples", 1));
    daemon = DaemonProcess.serve(config);
    JsonNode init = daemon.initialize();
    assertEquals("2025-11-25", init.at("/result/protocolVersion").asText(), init.toString());
  }

  @AfterAll
  static void stop() {
    daemon.close();
  }

  @AfterEach
  void daemonStillServes() throws Exception {
    JsonNode pong = daemon.request("after", "ping", null);
    assertTrue(pong.get("result").isObject(), pong.toString());
    ObjectNode params = DaemonProcess.JSON.createObjectNode().put("name", "echo");
    params.putObject("arguments").put("text", "still here");
    JsonNode echo = daemon.request("after-call", "tools/call", params);
    assertEquals("still here", echo.at("/result/content/0/text").asText(), echo.toString());
  }

  private static JsonNode errorFor(String line) throws Exception {
    daemon.sendLine(line);
    JsonNode frame = daemon.next(DEADLINE);
    assertTrue(frame.has("error"), "expected an error response, got " + frame);
    return frame;
  }

  @Test
  void notJsonGetsParseErrorWithNullId() throws Exception {
    JsonNode e = errorFor("this is not json");
    assertEquals(-32700, e.at("/error/code").asInt());
    assertTrue(e.get("id").isNull());
  }

  @Test
  void jsonThatIsNotJsonRpcGetsInvalidRequest() throws Exception {
    JsonNode e = errorFor("{\"hello\":\"world\"}");
    assertEquals(-32600, e.at("/error/code").asInt());
    assertTrue(e.get("id").isNull());
  }

  @Test
  void wrongJsonRpcVersionEchoesTheId() throws Exception {
    JsonNode e = errorFor("{\"jsonrpc\":\"1.0\",\"id\":\"v1\",\"method\":\"ping\"}");
    assertEquals(-32600, e.at("/error/code").asInt());
    assertEquals("v1", e.get("id").asText());
  }

  @Test
  void unknownMethodGetsMethodNotFoundNamingIt() throws Exception {
    JsonNode e = errorFor("{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"tools/frobnicate\"}");
    assertEquals(-32601, e.at("/error/code").asInt());
    assertEquals(7, e.get("id").asInt());
    assertTrue(e.at("/error/message").asText().contains("tools/frobnicate"), e.toString());
  }

  @Test
  void frameOverTheSizeLimitIsRefusedWithItsIdAndSkipped() throws Exception {
    String big =
        "{\"jsonrpc\":\"2.0\",\"id\":8,\"method\":\"tools/call\",\"params\":{\"name\":\"echo\",\"arguments\":{\"text\":\""
            + "x".repeat(10_000)
            + "\"}}}";
    JsonNode e = errorFor(big);
    assertEquals(-32600, e.at("/error/code").asInt());
    // Read from the frame's first bytes: the host's request is answered, not left to time out.
    assertEquals(8, e.path("id").asInt(), e.toString());
    assertTrue(e.at("/error/message").asText().contains("4096"), e.toString());
  }

  @Test
  void unknownToolGetsInvalidParamsNamingIt() throws Exception {
    ObjectNode params = DaemonProcess.JSON.createObjectNode().put("name", "no_such_tool");
    JsonNode e = daemon.request("u1", "tools/call", params);
    assertEquals(-32602, e.at("/error/code").asInt(), e.toString());
    assertTrue(e.at("/error/message").asText().contains("no_such_tool"), e.toString());
  }

  @Test
  void wrongArgumentTypeIsAToolErrorNamingTheParameter() throws Exception {
    ObjectNode params = DaemonProcess.JSON.createObjectNode().put("name", "echo");
    params.putObject("arguments").put("text", "hi").put("times", "three");
    JsonNode r = daemon.request("w1", "tools/call", params);
    assertTrue(r.at("/result/isError").asBoolean(), r.toString());
    assertTrue(r.at("/result/content/0/text").asText().contains("times"), r.toString());
  }

  @Test
  void argumentsThatAreNotAnObjectGetInvalidParams() throws Exception {
    ObjectNode params = DaemonProcess.JSON.createObjectNode().put("name", "echo");
    params.putArray("arguments").add("hi");
    JsonNode e = daemon.request("a1", "tools/call", params);
    assertEquals(-32602, e.at("/error/code").asInt(), e.toString());
  }

  @Test
  void duplicateInitializeIsRefused() throws Exception {
    var params = DaemonProcess.JSON.createObjectNode().put("protocolVersion", "2025-11-25");
    JsonNode e = daemon.request("init-again", "initialize", params);
    assertEquals(-32600, e.at("/error/code").asInt(), e.toString());
  }
}
