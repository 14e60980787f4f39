package dev.tandem.it;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Mcp-Session-Id and MCP-Protocol-Version as the transport page specifies them: 404 for a session
 * that does not exist or was deleted, 400 for a request without the header, 400 for an unsupported
 * protocol version; each with a JSON-RPC error, and the refused requests leave the good session
 * working.
 */
class HttpSessionIdTest {

  @TempDir static Path dir;
  static HttpDaemon daemon;

  @BeforeAll
  static void start() throws Exception {
    daemon = HttpDaemon.serve(Tandem.config(dir, Tandem.examplesPool("sessions", 1))).awaitReady();
  }

  @AfterAll
  static void stop() {
    if (daemon != null) daemon.close();
  }

  @Test
  void sessionIdsAreLongRandomVisibleAscii() throws Exception {
    McpHttpClient a = daemon.client();
    McpHttpClient b = daemon.client();
    a.initialize();
    b.initialize();
    assertNotEquals(a.sessionId, b.sessionId);
    assertTrue(
        a.sessionId.length() >= 32 && a.sessionId.chars().allMatch(c -> c >= 0x21 && c <= 0x7E),
        a.sessionId);
  }

  @Test
  void unknownSessionIdIsNotFound() throws Exception {
    McpHttpClient client = daemon.client();
    client.sessionId = "no-such-session-0000000000000000000000000";
    HttpResponse<String> r = client.post(McpHttpClient.request("1", "tools/list", null));
    assertEquals(404, r.statusCode(), r.body());
    assertEquals(-32001, McpHttpClient.error(r).at("/error/code").asInt(), r.body());
  }

  @Test
  void deletedSessionIdIsNotFoundAndItsCallsAreCancelled() throws Exception {
    McpHttpClient client = daemon.client();
    client.initialize();
    var params = DaemonProcess.JSON.createObjectNode().put("name", "sleep");
    params.putObject("arguments").put("seconds", 60);
    var sleeping =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                return client.post(McpHttpClient.request("long", "tools/call", params));
              } catch (Exception e) {
                throw new RuntimeException(e);
              }
            });
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> daemon.get("/status").body().contains("\"inFlight\":1"));
    assertEquals(200, client.delete().statusCode());
    HttpResponse<String> ended = sleeping.get(20, TimeUnit.SECONDS);
    assertTrue(
        McpHttpClient.messages(ended).isEmpty(),
        "a cancelled call gets no answer: " + ended.body());
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> daemon.get("/status").body().contains("\"inFlight\":0"));
    HttpResponse<String> r = client.post(McpHttpClient.request("1", "tools/list", null));
    assertEquals(404, r.statusCode(), r.body());
    assertEquals(-32001, McpHttpClient.error(r).at("/error/code").asInt(), r.body());
    assertEquals(404, client.delete().statusCode(), "a second DELETE finds nothing either");
  }

  @Test
  void requestWithoutSessionIdIsBadRequest() throws Exception {
    HttpResponse<String> r = daemon.client().post(McpHttpClient.request("1", "tools/list", null));
    assertEquals(400, r.statusCode(), r.body());
    assertTrue(
        McpHttpClient.error(r).at("/error/message").asText().contains("Mcp-Session-Id"), r.body());
  }

  @Test
  void unsupportedProtocolVersionIsBadRequestAndTheSessionGoesOn() throws Exception {
    McpHttpClient client = daemon.client();
    client.initialize();
    HttpResponse<String> r =
        client.post(
            DaemonProcess.JSON.writeValueAsString(McpHttpClient.request("1", "tools/list", null)),
            Map.of("MCP-Protocol-Version", "1999-01-01"));
    assertEquals(400, r.statusCode(), r.body());
    JsonNode error = McpHttpClient.error(r);
    assertEquals(-32600, error.at("/error/code").asInt(), r.body());
    assertTrue(error.at("/error/message").asText().contains("1999-01-01"), r.body());
    assertEquals(
        6,
        client.exchange("2", "tools/list", null).get(0).at("/result/tools").size(),
        "the session still serves");
  }

  @Test
  void getOpensTheSessionStreamOnceAndDeleteEndsIt() throws Exception {
    McpHttpClient client = daemon.client();
    client.initialize();
    java.net.http.HttpRequest get =
        java.net.http.HttpRequest.newBuilder(daemon.mcp())
            .header("Accept", "text/event-stream")
            .header("Mcp-Session-Id", client.sessionId)
            .header("MCP-Protocol-Version", McpHttpClient.VERSION)
            .GET()
            .build();
    HttpResponse<java.util.stream.Stream<String>> stream =
        daemon.http.sendAsync(get, HttpResponse.BodyHandlers.ofLines()).get(30, TimeUnit.SECONDS);
    assertEquals(200, stream.statusCode());
    assertEquals("text/event-stream", stream.headers().firstValue("Content-Type").orElse(""));
    HttpResponse<String> second = daemon.http.send(get, HttpResponse.BodyHandlers.ofString());
    assertEquals(409, second.statusCode(), "one GET stream per session: " + second.body());
    assertEquals(200, client.delete().statusCode());
    var lines = CompletableFuture.supplyAsync(() -> stream.body().toList());
    assertTrue(
        lines.get(20, TimeUnit.SECONDS).stream().noneMatch(l -> l.startsWith("data:")),
        "the stream ends, empty");
  }

  @Test
  void absentProtocolVersionIsServedAs20250326() throws Exception {
    McpHttpClient client = daemon.client();
    client.initialize();
    HttpResponse<String> r =
        daemon.http.send(
            java.net.http.HttpRequest.newBuilder(daemon.mcp())
                .header("Content-Type", "application/json")
                .header("Accept", "application/json")
                .header("Mcp-Session-Id", client.sessionId)
                .POST(
                    java.net.http.HttpRequest.BodyPublishers.ofString(
                        "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertEquals(200, r.statusCode(), r.body());
    assertEquals(
        "application/json",
        r.headers().firstValue("Content-Type").orElse(""),
        "Accept: application/json gets one JSON body");
    assertTrue(DaemonProcess.JSON.readTree(r.body()).get("result").isObject(), r.body());
  }
}
