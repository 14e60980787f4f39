package dev.tandem.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Which of the two forms the transport page allows a POSTed request's answer takes: one {@code
 * application/json} body when the answer is the first thing the call has to say (nearly every
 * call), an SSE stream when something comes before it (here, progress), whichever alone a client
 * accepts otherwise; and a JSON answer is one complete response (Content-Length, not chunked) on a
 * connection that stays open.
 */
class HttpAnswerFormTest {

  @Test
  void aPlainCallIsAnsweredAsJsonAndACallWithProgressAsAStream(@TempDir Path dir) throws Exception {
    try (HttpDaemon daemon =
        HttpDaemon.serve(Tandem.config(dir, Tandem.examplesPool("examples", 1))).awaitReady()) {
      McpHttpClient client = daemon.client();
      client.initialize();

      HttpResponse<String> plain =
          client.post(
              McpHttpClient.request("plain", "tools/call", call("echo", "text", "hello", null)));
      assertEquals(200, plain.statusCode(), plain.body());
      assertEquals(
          "application/json", plain.headers().firstValue("Content-Type").orElse(""), plain.body());
      assertEquals(
          String.valueOf(plain.body().getBytes(StandardCharsets.UTF_8).length),
          plain.headers().firstValue("Content-Length").orElse("none"),
          "one complete body, its length known");
      JsonNode answer = DaemonProcess.JSON.readTree(plain.body());
      assertEquals("plain", answer.get("id").asText(), plain.body());
      assertEquals("hello", answer.at("/result/content/0/text").asText(), plain.body());

      HttpResponse<String> counted =
          client.post(McpHttpClient.request("counted", "tools/call", call("count", "n", 3, "tok")));
      assertEquals(200, counted.statusCode(), counted.body());
      assertEquals(
          "text/event-stream",
          counted.headers().firstValue("Content-Type").orElse(""),
          counted.body());
      List<JsonNode> messages = McpHttpClient.messages(counted);
      assertEquals(
          4, messages.size(), "three progress notifications, then the answer: " + messages);
      for (int k = 0; k < 3; k++) {
        JsonNode p = messages.get(k);
        assertEquals("notifications/progress", p.path("method").asText(), messages.toString());
        assertEquals("tok", p.at("/params/progressToken").asText(), p.toString());
        assertEquals(k + 1, p.at("/params/progress").asInt(), messages.toString());
      }
      assertEquals("counted", messages.get(3).get("id").asText(), messages.toString());
      assertEquals(
          "counted to 3",
          messages.get(3).at("/result/content/0/text").asText(),
          messages.toString());

      // A progress token alone does not make a stream: echo reports no progress, so its answer
      // is still the first thing it has to say.
      HttpResponse<String> quiet =
          client.post(
              McpHttpClient.request("quiet", "tools/call", call("echo", "text", "hi", "tok2")));
      assertEquals(
          "application/json", quiet.headers().firstValue("Content-Type").orElse(""), quiet.body());
      assertEquals(
          "hi",
          DaemonProcess.JSON.readTree(quiet.body()).at("/result/content/0/text").asText(),
          quiet.body());

      // A client that accepts only one form gets that one.
      HttpResponse<String> sseOnly =
          client.post(
              DaemonProcess.JSON.writeValueAsString(
                  McpHttpClient.request("sse-only", "tools/call", call("echo", "text", "s", null))),
              Map.of("Accept", "text/event-stream"));
      assertEquals(
          "text/event-stream",
          sseOnly.headers().firstValue("Content-Type").orElse(""),
          sseOnly.body());
      assertEquals(
          "s",
          McpHttpClient.messages(sseOnly).get(0).at("/result/content/0/text").asText(),
          sseOnly.body());
      HttpResponse<String> jsonOnly =
          client.post(
              DaemonProcess.JSON.writeValueAsString(
                  McpHttpClient.request("json-only", "tools/call", call("count", "n", 2, "tok3"))),
              Map.of("Accept", "application/json"));
      assertEquals(
          "application/json",
          jsonOnly.headers().firstValue("Content-Type").orElse(""),
          jsonOnly.body());
      assertEquals(
          "counted to 2",
          DaemonProcess.JSON.readTree(jsonOnly.body()).at("/result/content/0/text").asText(),
          jsonOnly.body());
      client.delete();
    }
  }

  @Test
  void jsonAnswersFollowOneAnotherOnOneKeepAliveConnection(@TempDir Path dir) throws Exception {
    try (HttpDaemon daemon =
        HttpDaemon.serve(Tandem.config(dir, Tandem.examplesPool("examples", 1))).awaitReady()) {
      McpHttpClient client = daemon.client();
      client.initialize();
      try (Socket socket = new Socket(daemon.mcp().getHost(), daemon.mcp().getPort())) {
        socket.setSoTimeout(30_000);
        for (int i = 0; i < 3; i++) {
          String body =
              DaemonProcess.JSON.writeValueAsString(
                  McpHttpClient.request(
                      "k" + i, "tools/call", call("echo", "text", "again " + i, null)));
          Response r = exchange(socket, daemon, client.sessionId, body);
          assertEquals(200, r.status, r.toString());
          assertEquals("application/json", r.headers.get("content-type"), r.toString());
          assertFalse(
              r.headers.containsKey("transfer-encoding"), "a JSON answer is not chunked: " + r);
          assertFalse(
              "close".equalsIgnoreCase(r.headers.get("connection")),
              "the connection stays open: " + r);
          JsonNode answer = DaemonProcess.JSON.readTree(r.body);
          assertEquals("k" + i, answer.get("id").asText(), r.toString());
          assertEquals("again " + i, answer.at("/result/content/0/text").asText(), r.toString());
        }
      }
      client.delete();
    }
  }

  private static ObjectNode call(String tool, String argument, Object value, String progressToken) {
    ObjectNode params = DaemonProcess.JSON.createObjectNode().put("name", tool);
    params.set("arguments", DaemonProcess.JSON.valueToTree(Map.of(argument, value)));
    if (progressToken != null) params.putObject("_meta").put("progressToken", progressToken);
    return params;
  }

  private record Response(int status, Map<String, String> headers, String body) {}

  /** One POST on an open socket; the response read by its Content-Length, the socket left open. */
  private static Response exchange(Socket socket, HttpDaemon daemon, String sessionId, String body)
      throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    String head =
        "POST /mcp HTTP/1.1\r\nHost: 127.0.0.1:"
            + daemon.mcp().getPort()
            + "\r\nContent-Type: application/json\r\nAccept: application/json, text/event-stream\r\nMcp-Session-Id: "
            + sessionId
            + "\r\nMCP-Protocol-Version: "
            + McpHttpClient.VERSION
            + "\r\nContent-Length: "
            + bytes.length
            + "\r\n\r\n";
    OutputStream out = socket.getOutputStream();
    out.write(head.getBytes(StandardCharsets.US_ASCII));
    out.write(bytes);
    out.flush();
    InputStream in = socket.getInputStream();
    String status = line(in);
    Map<String, String> headers = new LinkedHashMap<>();
    for (String h = line(in); !h.isEmpty(); h = line(in)) {
      int colon = h.indexOf(':');
      headers.put(
          h.substring(0, colon).trim().toLowerCase(Locale.ROOT), h.substring(colon + 1).trim());
    }
    assertTrue(
        headers.containsKey("content-length"), "no Content-Length: " + status + " " + headers);
    byte[] content = in.readNBytes(Integer.parseInt(headers.get("content-length")));
    return new Response(
        Integer.parseInt(status.split(" ")[1]),
        headers,
        new String(content, StandardCharsets.UTF_8));
  }

  private static String line(InputStream in) throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    for (int c = in.read(); c != '\n'; c = in.read()) {
      if (c < 0)
        throw new IOException(
            "the connection closed mid-response: " + b.toString(StandardCharsets.US_ASCII));
      if (c != '\r') b.write(c);
    }
    return b.toString(StandardCharsets.US_ASCII);
  }
}
