package dev.tandem.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;

/**
 * A 2026-07-28 {@code tools/call} over plain java.net.http: no session, the protocol version and
 * the client's capabilities in {@code _meta}, the headers that mirror the body. Each request stands
 * alone, so any replica behind a balancer may answer it.
 */
final class ModernHttpCall {

  static final String VERSION = "2026-07-28";

  private ModernHttpCall() {}

  /** {@code params} of a tools/call for {@code tool}, declaring elicitation. */
  static ObjectNode params(String tool, JsonNode arguments) {
    ObjectNode params = DaemonProcess.JSON.createObjectNode().put("name", tool);
    params.set("arguments", arguments);
    ObjectNode meta = params.putObject("_meta");
    meta.put("io.modelcontextprotocol/protocolVersion", VERSION);
    meta.putObject("io.modelcontextprotocol/clientCapabilities").putObject("elicitation");
    return params;
  }

  /** The HTTP response to one tools/call sent to {@code mcp}. */
  static HttpResponse<String> post(HttpClient http, URI mcp, String id, ObjectNode params)
      throws IOException, InterruptedException {
    String body =
        DaemonProcess.JSON.writeValueAsString(McpHttpClient.request(id, "tools/call", params));
    return http.send(
        HttpRequest.newBuilder(mcp)
            .timeout(Duration.ofSeconds(60))
            .header("Content-Type", "application/json")
            .header("Accept", "application/json, text/event-stream")
            .header("MCP-Protocol-Version", VERSION)
            .header("Mcp-Method", "tools/call")
            .header("Mcp-Name", params.path("name").asText())
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /** The JSON-RPC answer (the last message) of one tools/call; an HTTP error fails the test. */
  static JsonNode call(HttpClient http, URI mcp, String id, ObjectNode params)
      throws IOException, InterruptedException {
    HttpResponse<String> r = post(http, mcp, id, params);
    if (r.statusCode() != 200)
      throw new AssertionError("tools/call answered HTTP " + r.statusCode() + ": " + r.body());
    List<JsonNode> messages = McpHttpClient.messages(r);
    return messages.get(messages.size() - 1);
  }
}
