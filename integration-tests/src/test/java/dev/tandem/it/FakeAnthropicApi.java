package dev.tandem.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A fake Anthropic Messages API on loopback for Claude Code ({@code ANTHROPIC_BASE_URL}): it speaks
 * the streaming wire (message_start, content_block_start/delta/stop, message_delta, message_stop)
 * and plays one scripted turn: while the request offers the planned tool and holds no result for
 * it, the model asks for it (a tool_use block, stop_reason tool_use); once the request carries its
 * tool_result, the model answers in text. Every request body is kept, so a test can assert what
 * Claude Code sent the model: the tools it offered, the tool_result it forwarded.
 */
final class FakeAnthropicApi implements AutoCloseable {

  static final String TOOL_USE_ID = "toolu_tandem_it_01";
  static final String ANSWER = "The tool answered; that is all.";

  private final HttpServer server;
  private final String tool;
  private final JsonNode input;
  private final List<JsonNode> requests = new CopyOnWriteArrayList<>();
  private final AtomicInteger ids = new AtomicInteger();
  private volatile Runnable beforeAnswer = () -> {};

  /**
   * @param tool the tool name the model asks for (Claude Code's, e.g. mcp__tandem__echo)
   */
  FakeAnthropicApi(String tool, JsonNode input) throws IOException {
    this.tool = tool;
    this.input = input;
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.setExecutor(Executors.newCachedThreadPool());
    server.createContext("/", this::handle);
    server.start();
  }

  URI baseUrl() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
  }

  /** Every body POSTed to /v1/messages, in order. */
  List<JsonNode> requests() {
    return requests;
  }

  /** The tool_result block Claude Code sent back for the planned call, or null. */
  JsonNode toolResult() {
    for (JsonNode r : requests) {
      JsonNode found = toolResultIn(r);
      if (found != null) return found;
    }
    return null;
  }

  /**
   * Runs {@code check} when the tool_result arrives, before the model answers: Claude Code waits
   * for the answer, so what the check sees happened while the host still ran.
   */
  void beforeAnswer(Runnable check) {
    beforeAnswer = check;
  }

  /** Whether any request offered the planned tool to the model. */
  boolean toolOffered() {
    return requests.stream().anyMatch(this::offers);
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      String path = exchange.getRequestURI().getPath();
      byte[] body = exchange.getRequestBody().readAllBytes();
      if (!"POST".equals(exchange.getRequestMethod()) || !path.equals("/v1/messages")) {
        // Anything else Claude Code may ask (token counts, metadata) gets an empty, valid answer.
        respond(
            exchange,
            200,
            "application/json",
            path.endsWith("count_tokens") ? "{\"input_tokens\":1}" : "{}");
        return;
      }
      JsonNode request = DaemonProcess.JSON.readTree(body);
      requests.add(request);
      boolean asksTool = toolResultIn(request) == null && offers(request);
      if (toolResultIn(request) != null) beforeAnswer.run();
      if (!request.path("stream").asBoolean(false)) {
        respond(
            exchange,
            200,
            "application/json",
            DaemonProcess.JSON.writeValueAsString(wholeMessage(request, asksTool)));
        return;
      }
      exchange.getResponseHeaders().set("Content-Type", "text/event-stream");
      exchange.getResponseHeaders().set("Cache-Control", "no-cache");
      exchange.sendResponseHeaders(200, 0);
      OutputStream out = exchange.getResponseBody();
      ObjectNode start = DaemonProcess.JSON.createObjectNode().put("type", "message_start");
      ObjectNode message = start.putObject("message");
      message
          .put("id", "msg_fake_" + ids.incrementAndGet())
          .put("type", "message")
          .put("role", "assistant")
          .put("model", request.path("model").asText("claude-fake"))
          .putNull("stop_reason")
          .putNull("stop_sequence");
      message.putArray("content");
      message.putObject("usage").put("input_tokens", 12).put("output_tokens", 1);
      event(out, "message_start", start);
      ObjectNode blockStart =
          DaemonProcess.JSON.createObjectNode().put("type", "content_block_start").put("index", 0);
      ObjectNode delta =
          DaemonProcess.JSON.createObjectNode().put("type", "content_block_delta").put("index", 0);
      if (asksTool) {
        blockStart
            .putObject("content_block")
            .put("type", "tool_use")
            .put("id", TOOL_USE_ID)
            .put("name", tool)
            .putObject("input");
        delta
            .putObject("delta")
            .put("type", "input_json_delta")
            .put("partial_json", input.toString());
      } else {
        blockStart.putObject("content_block").put("type", "text").put("text", "");
        delta.putObject("delta").put("type", "text_delta").put("text", ANSWER);
      }
      event(out, "content_block_start", blockStart);
      event(out, "content_block_delta", delta);
      event(
          out,
          "content_block_stop",
          DaemonProcess.JSON.createObjectNode().put("type", "content_block_stop").put("index", 0));
      ObjectNode end = DaemonProcess.JSON.createObjectNode().put("type", "message_delta");
      end.putObject("delta")
          .put("stop_reason", asksTool ? "tool_use" : "end_turn")
          .putNull("stop_sequence");
      end.putObject("usage").put("output_tokens", 20);
      event(out, "message_delta", end);
      event(out, "message_stop", DaemonProcess.JSON.createObjectNode().put("type", "message_stop"));
    }
  }

  private ObjectNode wholeMessage(JsonNode request, boolean asksTool) {
    ObjectNode m = DaemonProcess.JSON.createObjectNode();
    m.put("id", "msg_fake_" + ids.incrementAndGet())
        .put("type", "message")
        .put("role", "assistant")
        .put("model", request.path("model").asText("claude-fake"));
    ArrayNode content = m.putArray("content");
    if (asksTool) {
      content
          .addObject()
          .put("type", "tool_use")
          .put("id", TOOL_USE_ID)
          .put("name", tool)
          .set("input", input);
    } else {
      content.addObject().put("type", "text").put("text", ANSWER);
    }
    m.put("stop_reason", asksTool ? "tool_use" : "end_turn").putNull("stop_sequence");
    m.putObject("usage").put("input_tokens", 12).put("output_tokens", 20);
    return m;
  }

  private boolean offers(JsonNode request) {
    for (JsonNode t : request.path("tools")) if (tool.equals(t.path("name").asText())) return true;
    return false;
  }

  private static JsonNode toolResultIn(JsonNode request) {
    for (JsonNode m : request.path("messages")) {
      for (JsonNode block : m.path("content")) {
        if ("tool_result".equals(block.path("type").asText())
            && TOOL_USE_ID.equals(block.path("tool_use_id").asText())) {
          return block;
        }
      }
    }
    return null;
  }

  private static void event(OutputStream out, String name, JsonNode data) throws IOException {
    out.write(("event: " + name + "\ndata: " + data + "\n\n").getBytes(StandardCharsets.UTF_8));
    out.flush();
  }

  private static void respond(HttpExchange exchange, int status, String type, String body)
      throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", type);
    exchange.sendResponseHeaders(status, bytes.length);
    exchange.getResponseBody().write(bytes);
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
