package dev.tandem.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A deliberately plain Streamable HTTP client on java.net.http: each call shows the raw status,
 * headers and SSE events, which hostile-input tests need and an SDK would hide.
 */
final class McpHttpClient {

  static final String VERSION = "2025-11-25";

  private final HttpClient http;
  private final URI mcp;
  private final Map<String, String> headers;
  String sessionId;

  McpHttpClient(HttpClient http, URI mcp, Map<String, String> headers) {
    this.http = http;
    this.mcp = mcp;
    this.headers = headers;
  }

  /** One POST with the headers a well-behaved client sends, plus {@code extra}. */
  HttpResponse<String> post(String body, Map<String, String> extra)
      throws IOException, InterruptedException {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(mcp)
            .timeout(Duration.ofSeconds(60))
            .header("Content-Type", "application/json")
            .header("Accept", "application/json, text/event-stream")
            .POST(HttpRequest.BodyPublishers.ofString(body));
    headers.forEach(b::header);
    if (sessionId != null)
      b.header("Mcp-Session-Id", sessionId).header("MCP-Protocol-Version", VERSION);
    extra.forEach(b::setHeader);
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  HttpResponse<String> post(JsonNode message) throws IOException, InterruptedException {
    return post(DaemonProcess.JSON.writeValueAsString(message), Map.of());
  }

  HttpResponse<String> delete() throws IOException, InterruptedException {
    HttpRequest.Builder b = HttpRequest.newBuilder(mcp).timeout(Duration.ofSeconds(30)).DELETE();
    headers.forEach(b::header);
    if (sessionId != null) b.header("Mcp-Session-Id", sessionId);
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  /** initialize + notifications/initialized; keeps the session id the server returned. */
  JsonNode initialize() throws IOException, InterruptedException {
    ObjectNode params = DaemonProcess.JSON.createObjectNode().put("protocolVersion", VERSION);
    params.putObject("capabilities");
    params.putObject("clientInfo").put("name", "it-http").put("version", "0");
    HttpResponse<String> r = post(request("init", "initialize", params));
    if (r.statusCode() != 200)
      throw new AssertionError("initialize answered " + r.statusCode() + ": " + r.body());
    sessionId =
        r.headers()
            .firstValue("Mcp-Session-Id")
            .orElseThrow(() -> new AssertionError("no Mcp-Session-Id on the initialize response"));
    HttpResponse<String> ack =
        post(
            DaemonProcess.JSON
                .createObjectNode()
                .put("jsonrpc", "2.0")
                .put("method", "notifications/initialized"));
    if (ack.statusCode() != 202)
      throw new AssertionError("notifications/initialized answered " + ack.statusCode());
    return messages(r).get(0);
  }

  /** Sends a request and returns every message of its response, in order (the answer last). */
  List<JsonNode> exchange(String id, String method, JsonNode params)
      throws IOException, InterruptedException {
    HttpResponse<String> r = post(request(id, method, params));
    if (r.statusCode() != 200)
      throw new AssertionError(method + " answered " + r.statusCode() + ": " + r.body());
    return messages(r);
  }

  List<JsonNode> callTool(String id, String tool, JsonNode arguments, String progressToken)
      throws IOException, InterruptedException {
    ObjectNode params = DaemonProcess.JSON.createObjectNode().put("name", tool);
    params.set("arguments", arguments);
    if (progressToken != null) params.putObject("_meta").put("progressToken", progressToken);
    return exchange(id, "tools/call", params);
  }

  static ObjectNode request(String id, String method, JsonNode params) {
    ObjectNode m =
        DaemonProcess.JSON
            .createObjectNode()
            .put("jsonrpc", "2.0")
            .put("id", id)
            .put("method", method);
    if (params != null) m.set("params", params);
    return m;
  }

  /** The JSON-RPC messages of a response: one JSON body, or the data of each SSE event. */
  static List<JsonNode> messages(HttpResponse<String> r) throws IOException {
    String type = r.headers().firstValue("Content-Type").orElse("");
    List<JsonNode> out = new ArrayList<>();
    if (type.startsWith("application/json")) {
      out.add(DaemonProcess.JSON.readTree(r.body()));
      return out;
    }
    if (!type.startsWith("text/event-stream"))
      throw new AssertionError("unexpected Content-Type " + type + ": " + r.body());
    for (String event : r.body().split("\n\n")) {
      StringBuilder data = new StringBuilder();
      for (String line : event.split("\n")) {
        if (line.startsWith("data:"))
          data.append(line.substring(line.startsWith("data: ") ? 6 : 5));
      }
      if (!data.isEmpty()) out.add(DaemonProcess.JSON.readTree(data.toString()));
    }
    return out;
  }

  static JsonNode error(HttpResponse<String> r) throws IOException {
    JsonNode body = DaemonProcess.JSON.readTree(r.body());
    if (!body.has("error"))
      throw new AssertionError("no JSON-RPC error in " + r.statusCode() + " " + r.body());
    return body;
  }
}
