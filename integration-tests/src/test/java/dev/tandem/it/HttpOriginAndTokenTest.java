package dev.tandem.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Who may talk to the HTTP endpoint: DNS-rebinding protection (a foreign Origin or Host is 403, the
 * transport page's first security rule) and the optional bearer token (401 with a WWW-Authenticate
 * challenge). Each refusal carries a JSON-RPC error without an id, the daemon keeps serving those
 * who may, and the token never reaches the log.
 */
class HttpOriginAndTokenTest {

  static final String TOKEN = "it-secret-7f3a9c";
  static final Map<String, String> AUTH = Map.of("Authorization", "Bearer " + TOKEN);

  @TempDir static Path dir;
  static HttpDaemon daemon;

  @BeforeAll
  static void start() throws Exception {
    Path config =
        Tandem.config(
            dir,
            Tandem.examplesPool("guarded", 1)
                + """
        [http]
        allowed_origins = ["https://app.example.com"]
        """);
    daemon = HttpDaemon.serve(config, Map.of("TANDEM_HTTP_TOKEN", TOKEN)).awaitReady();
  }

  @AfterAll
  static void stop() {
    if (daemon != null) daemon.close();
  }

  @Test
  void foreignOriginIsForbiddenWithAJsonRpcErrorAndNoId() throws Exception {
    McpHttpClient client = daemon.client(AUTH);
    HttpResponse<String> r = client.post(initializeBody(), Map.of("Origin", "http://evil.example"));
    assertEquals(403, r.statusCode(), r.body());
    JsonNode error = McpHttpClient.error(r);
    assertFalse(error.has("id"), r.body());
    assertTrue(error.at("/error/message").asText().contains("evil.example"), r.body());
    assertTrue(
        r.headers().firstValue("Mcp-Session-Id").isEmpty(), "no session for a refused client");
  }

  @Test
  void loopbackAndConfiguredOriginsAreServed() throws Exception {
    for (String origin :
        List.of("http://localhost:6274", "http://127.0.0.1:3000", "https://app.example.com")) {
      McpHttpClient client =
          daemon.client(Map.of("Authorization", "Bearer " + TOKEN, "Origin", origin));
      assertEquals("tandem", client.initialize().at("/result/serverInfo/name").asText(), origin);
    }
  }

  @Test
  void foreignHostHeaderIsForbidden() throws Exception {
    // What a DNS-rebinding page produces: the browser reaches 127.0.0.1 but names the page's host.
    String response =
        RawHttp.exchange(
            daemon.mcp(),
            "POST /mcp HTTP/1.1\r\nHost: rebind.evil.example:"
                + daemon.mcp().getPort()
                + "\r\nAuthorization: Bearer "
                + TOKEN
                + "\r\nContent-Type: application/json\r\nAccept: application/json, text/event-stream\r\n",
            initializeBody());
    assertTrue(response.startsWith("HTTP/1.1 403"), response);
    assertTrue(
        response.contains("\"code\":-32000") && response.contains("rebind.evil.example"), response);
  }

  @Test
  void missingTokenIsUnauthorizedWithABearerChallenge() throws Exception {
    HttpResponse<String> r = daemon.client().post(initializeBody(), Map.of());
    assertEquals(401, r.statusCode(), r.body());
    assertEquals("Bearer realm=\"tandem\"", r.headers().firstValue("WWW-Authenticate").orElse(""));
    assertEquals(-32000, McpHttpClient.error(r).at("/error/code").asInt());
  }

  @Test
  void wrongTokenIsUnauthorizedAsInvalidToken() throws Exception {
    HttpResponse<String> r =
        daemon
            .client(Map.of("Authorization", "Bearer " + TOKEN + "x"))
            .post(initializeBody(), Map.of());
    assertEquals(401, r.statusCode(), r.body());
    assertTrue(
        r.headers().firstValue("WWW-Authenticate").orElse("").contains("error=\"invalid_token\""));
    assertFalse(r.body().contains(TOKEN), "the expected token is never echoed");
  }

  @Test
  void theRightTokenServesAndIsNeverLogged() throws Exception {
    McpHttpClient client = daemon.client(AUTH);
    client.initialize();
    List<JsonNode> answer =
        client.callTool(
            "1", "echo", DaemonProcess.JSON.createObjectNode().put("text", "authorized"), null);
    assertEquals("authorized", answer.get(answer.size() - 1).at("/result/content/0/text").asText());
    assertFalse(daemon.stderrText().contains(TOKEN), "the token must not appear in the log");
  }

  @Test
  void probesNeedNoTokenButMetricsDo() throws Exception {
    assertEquals(200, daemon.get("/healthz").statusCode());
    assertEquals(200, daemon.get("/readyz").statusCode());
    assertEquals(401, daemon.get("/metrics").statusCode());
    assertEquals(401, daemon.get("/status").statusCode());
  }

  static String initializeBody() {
    return """
        {"jsonrpc":"2.0","id":"init","method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"it","version":"0"}}}""";
  }
}
