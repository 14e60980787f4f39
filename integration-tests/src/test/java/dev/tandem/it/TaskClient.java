package dev.tandem.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A 2026-07-28 client of the tasks extension on plain java.net.http: every request stateless, with
 * its {@code _meta} (version, capabilities naming io.modelcontextprotocol/tasks) and the MCP
 * headers, answered by one JSON body.
 */
final class TaskClient {

  static final String VERSION = "2026-07-28";
  static final String EXTENSION = "io.modelcontextprotocol/tasks";

  private final HttpClient http;
  private final URI mcp;
  private final String token;
  private final AtomicLong ids = new AtomicLong();
  private final boolean declares;
  int lastStatus;

  TaskClient(HttpDaemon daemon, String token) {
    this(daemon, token, true);
  }

  /** {@code declares}: whether its requests name the tasks extension in their capabilities. */
  TaskClient(HttpDaemon daemon, String token, boolean declares) {
    this.http = daemon.http;
    this.mcp = daemon.mcp();
    this.token = token;
    this.declares = declares;
  }

  /** A tools/call: the CreateTaskResult (or a plain result) as the result member. */
  JsonNode call(String tool, ObjectNode arguments) throws IOException, InterruptedException {
    ObjectNode params = DaemonProcess.JSON.createObjectNode().put("name", tool);
    params.set("arguments", arguments);
    return result(send("tools/call", params, tool));
  }

  JsonNode get(String taskId) throws IOException, InterruptedException {
    return result(send("tasks/get", taskParams(taskId), taskId));
  }

  /** The whole JSON-RPC response of tasks/get, error or result. */
  JsonNode getRaw(String taskId) throws IOException, InterruptedException {
    return send("tasks/get", taskParams(taskId), taskId);
  }

  JsonNode cancel(String taskId) throws IOException, InterruptedException {
    return result(send("tasks/cancel", taskParams(taskId), taskId));
  }

  private static ObjectNode taskParams(String taskId) {
    return DaemonProcess.JSON.createObjectNode().put("taskId", taskId);
  }

  JsonNode send(String method, ObjectNode params, String name)
      throws IOException, InterruptedException {
    ObjectNode meta = params.putObject("_meta");
    meta.put("io.modelcontextprotocol/protocolVersion", VERSION);
    ObjectNode capabilities = meta.putObject("io.modelcontextprotocol/clientCapabilities");
    capabilities.putObject("elicitation");
    if (declares) capabilities.putObject("extensions").putObject(EXTENSION);
    ObjectNode request =
        DaemonProcess.JSON
            .createObjectNode()
            .put("jsonrpc", "2.0")
            .put("id", ids.incrementAndGet())
            .put("method", method);
    request.set("params", params);
    HttpRequest.Builder b =
        HttpRequest.newBuilder(mcp)
            .timeout(Duration.ofSeconds(60))
            .header("Content-Type", "application/json")
            .header("Accept", "application/json, text/event-stream")
            .header("MCP-Protocol-Version", VERSION)
            .header("Mcp-Method", method)
            .POST(HttpRequest.BodyPublishers.ofString(request.toString()));
    if (name != null) b.header("Mcp-Name", name);
    if (token != null) b.header("Authorization", "Bearer " + token);
    HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    lastStatus = r.statusCode();
    return McpHttpClient.messages(r).getLast();
  }

  private static JsonNode result(JsonNode response) {
    if (!response.has("result")) throw new AssertionError("expected a result: " + response);
    return response.get("result");
  }
}
