package dev.tandem.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * SEP-2243 on the server side: a Python tool marks parameters with {@code Header(...)}, tools/list
 * advertises them as {@code x-mcp-header}, and a 2026-07-28 tools/call whose {@code Mcp-Param-*}
 * headers and arguments disagree is refused with HTTP 400 and -32020 before the tool runs. The tool
 * is the conformance fixture {@code test_mirrored_headers} (region: str as Region, priority: int as
 * Priority, dry_run: bool as Dry-Run), served by the real daemon and worker.
 */
class ModernParamHeadersOverHttpTest {

  static final Path CONFIG = Tandem.HOME.resolve("examples/conformance/tandem.toml");
  static final String TOOL = "test_mirrored_headers";

  static HttpDaemon daemon;

  @BeforeAll
  static void serve() throws Exception {
    daemon = HttpDaemon.serve(CONFIG).awaitReady();
  }

  @AfterAll
  static void stop() {
    if (daemon != null) daemon.close();
  }

  @Test
  void theDeclaredParametersAreAdvertisedAsXMcpHeader() throws Exception {
    HttpResponse<String> r = post("tools/list", null, object(), Map.of());
    assertEquals(200, r.statusCode(), r.body());
    JsonNode tool = null;
    for (JsonNode t : McpHttpClient.messages(r).get(0).at("/result/tools")) {
      if (t.path("name").asText().equals(TOOL)) tool = t;
    }
    assertTrue(tool != null, r.body());
    JsonNode props = tool.at("/inputSchema/properties");
    assertEquals("Region", props.at("/region/x-mcp-header").asText(), props.toString());
    assertEquals("Priority", props.at("/priority/x-mcp-header").asText(), props.toString());
    assertEquals("Dry-Run", props.at("/dry_run/x-mcp-header").asText(), props.toString());
  }

  @Test
  void headersThatAgreeWithTheArgumentsReachTheTool() throws Exception {
    ObjectNode args = object().put("region", "Zürich ").put("priority", 3).put("dry_run", true);
    String encoded =
        "=?base64?"
            + Base64.getEncoder().encodeToString("Zürich ".getBytes(StandardCharsets.UTF_8))
            + "?=";
    HttpResponse<String> r =
        call(
            args,
            Map.of(
                "Mcp-Param-Region", encoded,
                // compared as numbers: 3.0 is the body's 3
                "mcp-param-priority", "3.0",
                "Mcp-Param-Dry-Run", "true"));
    assertEquals(200, r.statusCode(), r.body());
    assertEquals(
        "region=Zürich  priority=3 dry_run=true",
        McpHttpClient.messages(r).get(0).at("/result/content/0/text").asText(),
        r.body());
  }

  @Test
  void aHeaderThatDisagreesWithItsArgumentIsRefusedWith400And32020() throws Exception {
    HttpResponse<String> r =
        call(object().put("region", "eu-west1"), Map.of("Mcp-Param-Region", "us-east1"));
    assertMismatch(r, "Mcp-Param-Region header value 'us-east1' does not match body value");
  }

  @Test
  void anArgumentSentWithoutItsHeaderIsRefused() throws Exception {
    HttpResponse<String> r =
        call(
            object().put("region", "eu-west1").put("priority", 2),
            Map.of("Mcp-Param-Region", "eu-west1"));
    assertMismatch(r, "Mcp-Param-Priority header is missing");
  }

  @Test
  void aHeaderWithoutItsArgumentIsRefused() throws Exception {
    HttpResponse<String> r =
        call(
            object().put("region", "eu-west1"),
            Map.of("Mcp-Param-Region", "eu-west1", "Mcp-Param-Dry-Run", "false"));
    assertMismatch(r, "Mcp-Param-Dry-Run header is present but params.arguments.dry_run is not");
  }

  @Test
  void base64WithoutItsPaddingIsRefused() throws Exception {
    HttpResponse<String> r =
        call(object().put("region", "Hello"), Map.of("Mcp-Param-Region", "=?base64?SGVsbG8?="));
    assertMismatch(r, "not valid =?base64?...?= encoding");
  }

  private static void assertMismatch(HttpResponse<String> r, String fragment) throws Exception {
    assertEquals(400, r.statusCode(), r.body());
    JsonNode e = McpHttpClient.error(r);
    assertEquals(-32020, e.at("/error/code").asInt(), e.toString());
    assertTrue(e.at("/error/message").asText().contains(fragment), e.toString());
  }

  private static HttpResponse<String> call(ObjectNode arguments, Map<String, String> headers)
      throws Exception {
    ObjectNode params = object().put("name", TOOL);
    params.set("arguments", arguments);
    return post("tools/call", TOOL, params, headers);
  }

  private static HttpResponse<String> post(
      String method, String name, ObjectNode params, Map<String, String> extra) throws Exception {
    ObjectNode meta = params.putObject("_meta");
    meta.put("io.modelcontextprotocol/protocolVersion", "2026-07-28");
    meta.putObject("io.modelcontextprotocol/clientInfo")
        .put("name", "it-param-headers")
        .put("version", "0");
    meta.putObject("io.modelcontextprotocol/clientCapabilities");
    Map<String, String> headers = new HashMap<>(extra);
    headers.put("MCP-Protocol-Version", "2026-07-28");
    headers.put("Mcp-Method", method);
    if (name != null) headers.put("Mcp-Name", name);
    return daemon
        .client()
        .post(
            DaemonProcess.JSON.writeValueAsString(McpHttpClient.request("1", method, params)),
            headers);
  }

  private static ObjectNode object() {
    return DaemonProcess.JSON.createObjectNode();
  }
}
