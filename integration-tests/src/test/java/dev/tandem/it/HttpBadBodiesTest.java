package dev.tandem.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bodies no client should send: over the limit (413), not JSON (400 with a -32700 parse error), not
 * a JSON-RPC message (400, -32600), the wrong media type (415). Each is refused with a JSON-RPC
 * error, and the session that sent it keeps working.
 */
class HttpBadBodiesTest {

  static final int LIMIT = 2048;

  @TempDir static Path dir;
  static HttpDaemon daemon;
  static McpHttpClient client;

  @BeforeAll
  static void start() throws Exception {
    daemon =
        HttpDaemon.serve(
                Tandem.config(
                    dir,
                    Tandem.examplesPool("bodies", 1) + "[http]\nmax_body_bytes = " + LIMIT + "\n"))
            .awaitReady();
    client = daemon.client();
    client.initialize();
  }

  @AfterAll
  static void stop() {
    if (daemon != null) daemon.close();
  }

  @Test
  void bodyOverTheLimitIsPayloadTooLargeAndTheSessionGoesOn() throws Exception {
    var args = DaemonProcess.JSON.createObjectNode().put("text", "x".repeat(LIMIT * 2));
    var params = DaemonProcess.JSON.createObjectNode().put("name", "echo");
    params.set("arguments", args);
    HttpResponse<String> r = client.post(McpHttpClient.request("big", "tools/call", params));
    assertEquals(413, r.statusCode(), r.body());
    JsonNode error = McpHttpClient.error(r);
    assertEquals(-32600, error.at("/error/code").asInt());
    assertTrue(error.at("/error/message").asText().contains(String.valueOf(LIMIT)), r.body());
    assertStillServes();
  }

  @Test
  void malformedJsonIsAParseError() throws Exception {
    HttpResponse<String> r = client.post("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":", Map.of());
    assertEquals(400, r.statusCode(), r.body());
    JsonNode error = McpHttpClient.error(r);
    assertEquals(-32700, error.at("/error/code").asInt(), r.body());
    assertFalse(error.has("id"), "the id of an unparseable message is unknown");
    assertStillServes();
  }

  @Test
  void jsonThatIsNotAMessageIsInvalidRequest() throws Exception {
    HttpResponse<String> r =
        client.post("[{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}]", Map.of());
    assertEquals(400, r.statusCode(), r.body());
    assertEquals(-32600, McpHttpClient.error(r).at("/error/code").asInt(), r.body());
  }

  @Test
  void wrongContentTypeIsUnsupportedMediaType() throws Exception {
    HttpResponse<String> r =
        client.post(
            "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}",
            Map.of("Content-Type", "text/plain"));
    assertEquals(415, r.statusCode(), r.body());
    McpHttpClient.error(r);
  }

  private static void assertStillServes() throws Exception {
    var answer =
        client.callTool(
            "ok-" + System.nanoTime(),
            "echo",
            DaemonProcess.JSON.createObjectNode().put("text", "still here"),
            null);
    assertEquals("still here", answer.get(answer.size() - 1).at("/result/content/0/text").asText());
  }
}
