package dev.tandem.it;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * tandem as an OAuth 2.1 resource server (issue 18) against a real authorization server (the
 * TypeScript SDK's auth router, {@link AuthorizationServer}) and a real client's discovery flow
 * (the SDK client with an OAuthClientProvider, oauth-client.mjs). Each refusal is checked for its
 * status and its {@code WWW-Authenticate} challenge. The outage test runs last: it stops the
 * authorization server.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class OAuthResourceServerTest {

  @TempDir static Path dir;
  static AuthorizationServer as;
  static HttpDaemon daemon;
  static String resource;

  @BeforeAll
  static void start() throws Exception {
    as = AuthorizationServer.start();
    Path config = OAuthFixture.write(dir, as.issuer);
    daemon =
        HttpDaemon.serve(
            config,
            Map.of(
                "IT_INTROSPECTION_SECRET",
                AuthorizationServer.INTROSPECTION_SECRET,
                "TANDEM_TASKS_DIR",
                dir.resolve("tasks").toString()));
    daemon.awaitReady();
    resource = daemon.mcp().toString();
  }

  @AfterAll
  static void stop() {
    if (daemon != null) daemon.close();
    if (as != null) as.close();
  }

  static ObjectNode claims() {
    return DaemonProcess.JSON.createObjectNode().put("aud", resource).put("sub", "alice");
  }

  static McpHttpClient as(String token) {
    return daemon.client(Map.of("Authorization", "Bearer " + token));
  }

  static HttpResponse<String> initialize(String token) throws Exception {
    return as(token)
        .post(
            "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{\"protocolVersion\":\"2025-11-25\",\"capabilities\":{},\"clientInfo\":{\"name\":\"it\",\"version\":\"0\"}}}",
            Map.of());
  }

  static String challenge(HttpResponse<String> r) {
    return r.headers().firstValue("WWW-Authenticate").orElse("");
  }

  static String metadataUrl() {
    return daemon.uri("/.well-known/oauth-protected-resource/mcp").toString();
  }

  @Test
  @Order(1)
  void sdkClientDiscoversRegistersAndCallsWithItsPrincipal() throws Exception {
    JsonNode report =
        NodeScript.run("oauth-client.mjs", List.of(), List.of(resource, "whoami"), 180, null);
    assertTrue(report.path("unauthorizedFirst").asBoolean(), report.toString());
    JsonNode first = report.path("seen").get(0);
    assertEquals(401, first.path("status").asInt(), report.toString());
    assertTrue(
        first.path("wwwAuthenticate").asText().contains("resource_metadata=\"" + metadataUrl()),
        first.toString());
    assertTrue(report.toString().contains(metadataUrl()), "the client read the metadata");
    assertEquals("S256", report.path("pkce").asText(), report.toString());
    assertEquals(resource, report.path("resource").asText(), report.toString());
    String client = report.path("registeredClientId").asText();
    assertFalse(client.isEmpty(), report.toString());
    String text = report.path("result").path("content").get(0).path("text").asText();
    assertEquals("demo_user|mcp:tools|" + client, text, report.toString());
  }

  @Test
  void protectedResourceMetadataNamesTheIssuerAndScopes() throws Exception {
    for (String path :
        List.of(
            "/.well-known/oauth-protected-resource/mcp", "/.well-known/oauth-protected-resource")) {
      HttpResponse<String> r = daemon.get(path);
      assertEquals(200, r.statusCode(), path + ": " + r.body());
      JsonNode m = DaemonProcess.JSON.readTree(r.body());
      assertEquals(resource, m.path("resource").asText());
      assertEquals(as.issuer, m.path("authorization_servers").get(0).asText());
      assertEquals(
          "[\"mcp:tools\",\"reports:read\",\"vault:open\"]", m.path("scopes_supported").toString());
    }
  }

  @Test
  void noTokenIs401WithTheMetadataAndScope() throws Exception {
    HttpResponse<String> r =
        daemon.client().post("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}", Map.of());
    assertEquals(401, r.statusCode(), r.body());
    assertEquals(
        "Bearer resource_metadata=\"" + metadataUrl() + "\", scope=\"mcp:tools\"", challenge(r));
  }

  @Test
  void expiredWrongIssuerWrongAudienceForgedAndNotYetValidAre401() throws Exception {
    Map<String, ObjectNode> bad =
        Map.of(
            "expired", claims().put("expIn", -3600),
            "issued by", claims().put("iss", "http://127.0.0.1:1/"),
            "not for this server", claims().put("aud", "http://127.0.0.1:1/mcp"),
            "signature", claims().put("forged", true),
            "not valid before", claims().put("nbfIn", 3600));
    for (Map.Entry<String, ObjectNode> e : bad.entrySet()) {
      HttpResponse<String> r = initialize(as.mint(e.getValue()));
      assertEquals(401, r.statusCode(), e.getKey() + ": " + r.body());
      String c = challenge(r);
      assertTrue(c.startsWith("Bearer resource_metadata=\"" + metadataUrl() + "\""), c);
      assertTrue(c.contains("error=\"invalid_token\""), c);
      assertTrue(r.body().contains(e.getKey()), e.getKey() + ": " + r.body());
    }
  }

  @Test
  void tokenWithoutTheServersScopeIs403() throws Exception {
    HttpResponse<String> r = initialize(as.mint(claims().put("scope", "profile")));
    assertEquals(403, r.statusCode(), r.body());
    assertTrue(challenge(r).contains("error=\"insufficient_scope\""), challenge(r));
    assertTrue(challenge(r).contains("scope=\"mcp:tools\""), challenge(r));
  }

  @Test
  void toolScopeIsCheckedBeforeTheCallReachesAWorker() throws Exception {
    McpHttpClient plain = as(as.mint(claims()));
    plain.initialize();
    ObjectNode call = DaemonProcess.JSON.createObjectNode().put("name", "report");
    call.putObject("arguments");
    HttpResponse<String> r = plain.post(McpHttpClient.request("2", "tools/call", call));
    assertEquals(403, r.statusCode(), r.body());
    assertTrue(challenge(r).contains("error=\"insufficient_scope\""), challenge(r));
    assertTrue(challenge(r).contains("scope=\"mcp:tools reports:read\""), challenge(r));
    assertTrue(r.body().contains("tool \\\"report\\\" needs scope reports:read"), r.body());

    McpHttpClient reader = as(as.mint(claims().put("scope", "mcp:tools reports:read")));
    reader.initialize();
    JsonNode answer =
        reader.callTool("3", "report", DaemonProcess.JSON.createObjectNode(), null).getLast();
    assertEquals("the report", answer.at("/result/content/0/text").asText(), answer.toString());
  }

  @Test
  void poolScopeCoversEveryToolOfThePool() throws Exception {
    McpHttpClient plain = as(as.mint(claims()));
    plain.initialize();
    ObjectNode call = DaemonProcess.JSON.createObjectNode().put("name", "open_vault");
    call.putObject("arguments");
    HttpResponse<String> r = plain.post(McpHttpClient.request("2", "tools/call", call));
    assertEquals(403, r.statusCode(), r.body());
    assertTrue(challenge(r).contains("scope=\"mcp:tools vault:open\""), challenge(r));

    McpHttpClient holder = as(as.mint(claims().put("scope", "mcp:tools vault:open")));
    holder.initialize();
    JsonNode answer =
        holder.callTool("3", "open_vault", DaemonProcess.JSON.createObjectNode(), null).getLast();
    assertEquals("opened", answer.at("/result/content/0/text").asText(), answer.toString());
  }

  @Test
  void statelessCallOf2026SeesThePrincipalAndItsScopesAreChecked() throws Exception {
    ObjectNode params = DaemonProcess.JSON.createObjectNode().put("name", "whoami");
    params.putObject("arguments");
    ObjectNode meta = params.putObject("_meta");
    meta.put("io.modelcontextprotocol/protocolVersion", "2026-07-28");
    meta.putObject("io.modelcontextprotocol/clientInfo").put("name", "it").put("version", "0");
    meta.putObject("io.modelcontextprotocol/clientCapabilities");
    Map<String, String> headers =
        Map.of(
            "MCP-Protocol-Version", "2026-07-28", "Mcp-Method", "tools/call", "Mcp-Name", "whoami");
    HttpResponse<String> r =
        as(as.mint(claims().put("sub", "dana")))
            .post(McpHttpClient.request("1", "tools/call", params).toString(), headers);
    assertEquals(200, r.statusCode(), r.body());
    JsonNode answer = McpHttpClient.messages(r).getLast();
    assertEquals(
        "dana|mcp:tools|test-client", answer.at("/result/content/0/text").asText(), r.body());

    params.put("name", "report");
    HttpResponse<String> denied =
        as(as.mint(claims()))
            .post(
                McpHttpClient.request("2", "tools/call", params).toString(),
                Map.of(
                    "MCP-Protocol-Version",
                    "2026-07-28",
                    "Mcp-Method",
                    "tools/call",
                    "Mcp-Name",
                    "report"));
    assertEquals(403, denied.statusCode(), denied.body());
  }

  @Test
  void requestStateIssuedToOnePrincipalIsRefusedToAnother() throws Exception {
    ObjectNode params = DaemonProcess.JSON.createObjectNode().put("name", "ask_name");
    params.putObject("arguments");
    ObjectNode meta = params.putObject("_meta");
    meta.put("io.modelcontextprotocol/protocolVersion", "2026-07-28");
    meta.putObject("io.modelcontextprotocol/clientInfo").put("name", "it").put("version", "0");
    meta.putObject("io.modelcontextprotocol/clientCapabilities").putObject("elicitation");
    Map<String, String> headers =
        Map.of(
            "MCP-Protocol-Version",
            "2026-07-28",
            "Mcp-Method",
            "tools/call",
            "Mcp-Name",
            "ask_name");
    HttpResponse<String> first =
        as(as.mint(claims()))
            .post(McpHttpClient.request("1", "tools/call", params).toString(), headers);
    assertEquals(200, first.statusCode(), first.body());
    JsonNode suspended = McpHttpClient.messages(first).getLast();
    String state = suspended.at("/result/requestState").asText();
    assertFalse(state.isEmpty(), suspended.toString());

    params.put("requestState", state);
    params.putObject("inputResponses");
    HttpResponse<String> bob =
        as(as.mint(claims().put("sub", "bob")))
            .post(McpHttpClient.request("2", "tools/call", params).toString(), headers);
    assertTrue(bob.body().contains("requestState was issued to a different client"), bob.body());
    // The state is bound to alice, not to her token: a refreshed token resumes it.
    params.putObject("inputResponses");
    HttpResponse<String> alice =
        as(as.mint(claims()))
            .post(McpHttpClient.request("3", "tools/call", params).toString(), headers);
    assertFalse(alice.body().contains("different client"), alice.body());
  }

  @Test
  void aClaimedPrincipalIsReplacedByTheValidatedOne() throws Exception {
    McpHttpClient alice = as(as.mint(claims()));
    alice.initialize();
    ObjectNode call = DaemonProcess.JSON.createObjectNode().put("name", "whoami");
    call.putObject("arguments");
    call.putObject("_meta").putObject("tandem/principal").put("subject", "root");
    JsonNode answer = alice.exchange("2", "tools/call", call).getLast();
    assertEquals("alice|mcp:tools|test-client", answer.at("/result/content/0/text").asText());
  }

  @Test
  void aSessionOfAnotherPrincipalIsNotFound() throws Exception {
    McpHttpClient alice = as(as.mint(claims()));
    alice.initialize();
    McpHttpClient bob = as(as.mint(claims().put("sub", "bob")));
    bob.sessionId = alice.sessionId;
    HttpResponse<String> r = bob.post(McpHttpClient.request("2", "tools/list", null));
    assertEquals(404, r.statusCode(), r.body());
    assertEquals(404, bob.delete().statusCode());
    // Alice with a fresh token (a refresh) still finds her session.
    McpHttpClient aliceAgain = as(as.mint(claims()));
    aliceAgain.sessionId = alice.sessionId;
    assertEquals(200, aliceAgain.post(McpHttpClient.request("3", "tools/list", null)).statusCode());
  }

  @Test
  void aTaskOfAnotherPrincipalIsNotFound() throws Exception {
    McpHttpClient alice = as(as.mint(claims()));
    alice.initialize();
    ObjectNode params = DaemonProcess.JSON.createObjectNode().put("name", "brew");
    params.putObject("arguments").put("label", "alice's");
    params.putObject("task").put("ttl", 60_000);
    JsonNode created = alice.exchange("t1", "tools/call", params).getLast();
    String id = created.path("result").path("task").path("taskId").asText();
    assertFalse(id.isEmpty(), created.toString());
    ObjectNode ask = DaemonProcess.JSON.createObjectNode().put("taskId", id);
    JsonNode result = alice.exchange("t2", "tasks/result", ask).getLast();
    assertEquals("brewed alice's", result.at("/result/content/0/text").asText(), result.toString());

    McpHttpClient bob = as(as.mint(claims().put("sub", "bob")));
    bob.initialize();
    for (String method : List.of("tasks/get", "tasks/result", "tasks/cancel")) {
      JsonNode refused = bob.exchange("b-" + method, method, ask).getLast();
      assertEquals(-32602, refused.path("error").path("code").asInt(), method + ": " + refused);
      assertFalse(refused.toString().contains("alice's"), refused.toString());
    }
  }

  @Test
  void opaqueTokensAreIntrospected() throws Exception {
    McpHttpClient carol = as(as.mint(claims().put("opaque", true).put("sub", "carol")));
    carol.initialize();
    JsonNode answer =
        carol.callTool("2", "whoami", DaemonProcess.JSON.createObjectNode(), null).getLast();
    assertEquals("carol|mcp:tools|test-client", answer.at("/result/content/0/text").asText());

    HttpResponse<String> other =
        initialize(as.mint(claims().put("opaque", true).put("aud", "http://127.0.0.1:1/mcp")));
    assertEquals(401, other.statusCode(), other.body());
    assertTrue(other.body().contains("not for this server"), other.body());
    HttpResponse<String> unknown = initialize("not-a-token-the-server-issued");
    assertEquals(401, unknown.statusCode(), unknown.body());
    assertTrue(unknown.body().contains("not active"), unknown.body());
  }

  @Test
  void checkFetchesTheIssuersMetadataAndKeys() throws Exception {
    TandemCli.Result ok =
        TandemCli.run(
            Tandem.BIN,
            List.of("check", "--config", dir.resolve("tandem.toml").toString()),
            Map.of("IT_INTROSPECTION_SECRET", AuthorizationServer.INTROSPECTION_SECRET),
            dir);
    assertEquals(0, ok.status(), ok.stderr());
    assertTrue(
        ok.stdout().contains("1 signing key at " + as.issuer + "jwks")
            && ok.stdout().contains("opaque tokens introspected at " + as.issuer + "introspect"),
        ok.stdout());
    assertFalse(ok.stdout().contains(AuthorizationServer.INTROSPECTION_SECRET), ok.stdout());

    Path wrong = dir.resolve("wrong-issuer.toml");
    Files.writeString(
        wrong,
        Files.readString(dir.resolve("tandem.toml"))
            .replace("issuer = \"" + as.issuer + "\"", "issuer = \"" + as.issuer + "realms/x\""));
    TandemCli.Result bad =
        TandemCli.run(
            Tandem.BIN,
            List.of("check", "--config", wrong.toString()),
            Map.of("IT_INTROSPECTION_SECRET", AuthorizationServer.INTROSPECTION_SECRET),
            dir);
    assertEquals(1, bad.status(), bad.stdout());
    assertTrue(bad.stderr().contains("[http.auth]: cannot read the metadata"), bad.stderr());
  }

  @Test
  void staticTokenTogetherWithOAuthIsRefused() throws Exception {
    TandemCli.Result r =
        TandemCli.run(
            Tandem.BIN,
            List.of("check", "--no-start", "--config", dir.resolve("tandem.toml").toString()),
            Map.of(
                "IT_INTROSPECTION_SECRET",
                AuthorizationServer.INTROSPECTION_SECRET,
                "TANDEM_HTTP_TOKEN",
                "static-secret"),
            dir);
    assertEquals(1, r.status(), r.stdout());
    assertTrue(r.stderr().contains("[http.auth] are both set; use one"), r.stderr());
  }

  @Test
  @Order(Integer.MAX_VALUE - 1)
  void rotatedKeyIsFetchedForAnUnknownKid() throws Exception {
    assertEquals(200, initialize(as.mint(claims())).statusCode());
    as.rotate();
    String fresh = as.mint(claims());
    // One refetch per second at most, for a kid the cache lacks: it may take that long.
    await()
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(300))
        .until(() -> initialize(fresh).statusCode() == 200);
  }

  @Test
  @Order(Integer.MAX_VALUE)
  void authorizationServerDownKeepsCachedKeysWorkingAndAnswers503Otherwise() throws Exception {
    String jwt = as.mint(claims());
    assertEquals(200, initialize(jwt).statusCode()); // its key is now cached
    String opaque = as.mint(claims().put("opaque", true));
    as.close();
    assertEquals(200, initialize(jwt).statusCode());
    HttpResponse<String> r = initialize(opaque);
    assertEquals(503, r.statusCode(), r.body());
    assertNotNull(r.headers().firstValue("Retry-After").orElse(null));
    assertTrue(r.body().contains("cannot be asked"), r.body());
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> daemon.stderrText().contains("oauth: cannot introspect a token"));
    assertFalse(daemon.stderrText().contains(opaque), "a token reached the log");
    assertFalse(daemon.stderrText().contains(jwt), "a token reached the log");
  }
}
