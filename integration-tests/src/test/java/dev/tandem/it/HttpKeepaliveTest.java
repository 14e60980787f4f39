package dev.tandem.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SSE keep-alive: a quiet stream (a long call, an idle GET stream) carries a comment every [http]
 * keepalive_ms, so proxies and clients with idle timeouts do not cut it; clients ignore comments,
 * so the messages are unchanged.
 */
class HttpKeepaliveTest {

  @Test
  void quietStreamsCarryKeepaliveCommentsAndTheSameMessages(@TempDir Path dir) throws Exception {
    Path config =
        Tandem.config(dir, Tandem.examplesPool("quiet", 1) + "[http]\nkeepalive_ms = 200\n");
    try (HttpDaemon daemon = HttpDaemon.serve(config).awaitReady()) {
      McpHttpClient client = daemon.client();
      client.initialize();
      // Quick calls first, each answered as JSON: the quiet deadline is one lazily re-armed timer
      // per connection, and the slow call after them must still get its stream on time.
      for (int i = 0; i < 3; i++) {
        var echo = DaemonProcess.JSON.createObjectNode().put("name", "echo");
        echo.putObject("arguments").put("text", "hi");
        HttpResponse<String> quick =
            client.post(McpHttpClient.request("e" + i, "tools/call", echo));
        assertEquals(
            "application/json",
            quick.headers().firstValue("Content-Type").orElse(""),
            quick.body());
      }
      var params = DaemonProcess.JSON.createObjectNode().put("name", "sleep");
      params.putObject("arguments").put("seconds", 1.0);
      HttpResponse<String> r = client.post(McpHttpClient.request("quiet", "tools/call", params));
      assertEquals(200, r.statusCode());
      long comments = r.body().lines().filter(l -> l.equals(": keepalive")).count();
      assertTrue(
          comments >= 2,
          "a 1 s call on a 200 ms keep-alive got " + comments + " comments:\n" + r.body());
      List<JsonNode> messages = McpHttpClient.messages(r);
      assertEquals(1, messages.size(), r.body());
      assertEquals("slept 1.0s", messages.get(0).at("/result/content/0/text").asText());

      HttpRequest get =
          HttpRequest.newBuilder(daemon.mcp())
              .header("Accept", "text/event-stream")
              .header("Mcp-Session-Id", client.sessionId)
              .GET()
              .build();
      HttpResponse<java.util.stream.Stream<String>> stream =
          daemon.http.sendAsync(get, HttpResponse.BodyHandlers.ofLines()).get(30, TimeUnit.SECONDS);
      assertEquals(": keepalive", stream.body().filter(l -> !l.isEmpty()).findFirst().orElse(""));
      client.delete();
    }
  }
}
