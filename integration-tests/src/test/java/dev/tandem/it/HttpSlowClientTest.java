package dev.tandem.it;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A client that opens a call's SSE stream and never reads it, while the tool floods progress: the
 * daemon must not buffer without bound. Past [http] stream_buffer_bytes it closes that stream and
 * cancels the call on the worker, and other sessions are served throughout.
 */
class HttpSlowClientTest {

  static final String FLOOD =
      """
      import asyncio
      from tandem import Context, tool

      @tool
      async def flood(n: int, size: int, ctx: Context | None = None) -> str:
          \"\"\"Report progress n times with a message of size characters.\"\"\"
          for i in range(n):
              await ctx.progress(i, total=n, message="x" * size)
              if i % 20 == 0:
                  await asyncio.sleep(0)
          return "flooded"
      """;

  @Test
  void clientThatNeverReadsItsStreamIsCutOffAndItsCallCancelled(@TempDir Path dir)
      throws Exception {
    Path tools = Files.createDirectories(dir.resolve("tools"));
    Files.writeString(tools.resolve("flood.py"), FLOOD);
    Path config =
        Tandem.config(
            dir,
            Tandem.examplesPool("examples", 1)
                + """
        [[pool]]
        name = "flood"
        modules = ["flood"]
        path = "tools"

        [http]
        stream_buffer_bytes = 65536
        """);
    try (HttpDaemon daemon = HttpDaemon.serve(config).awaitReady()) {
      McpHttpClient stalled = daemon.client();
      stalled.initialize();
      McpHttpClient other = daemon.client();
      other.initialize();

      // 20 000 events of 10 kB: 200 MB if it were all kept.
      String body =
          """
          {"jsonrpc":"2.0","id":"flood","method":"tools/call","params":{"name":"flood","arguments":{"n":20000,"size":10000},"_meta":{"progressToken":"f"}}}""";
      try (Socket socket = new Socket()) {
        socket.setReceiveBufferSize(
            4096); // before connect: a small window, so the server's buffer fills
        socket.connect(new InetSocketAddress(daemon.mcp().getHost(), daemon.mcp().getPort()));
        String head =
            "POST /mcp HTTP/1.1\r\nHost: 127.0.0.1:"
                + daemon.mcp().getPort()
                + "\r\nContent-Type: application/json\r\nAccept: application/json, text/event-stream\r\nMcp-Session-Id: "
                + stalled.sessionId
                + "\r\nMCP-Protocol-Version: 2025-11-25\r\nContent-Length: "
                + body.getBytes(StandardCharsets.UTF_8).length
                + "\r\n\r\n";
        socket.getOutputStream().write((head + body).getBytes(StandardCharsets.UTF_8));
        socket.getOutputStream().flush();

        // The daemon gives up on the stream and cancels the call; it never finishes.
        await()
            .atMost(Duration.ofSeconds(60))
            .until(() -> daemon.stderrText().contains("closed its SSE stream"));
        await()
            .atMost(Duration.ofSeconds(30))
            .until(
                () ->
                    daemon
                        .get("/metrics")
                        .body()
                        .contains("tandem_tool_cancelled_total{tool=\"flood\"} 1"));
        await()
            .atMost(Duration.ofSeconds(30))
            .until(
                () -> {
                  for (var pool :
                      DaemonProcess.JSON.readTree(daemon.get("/status").body()).path("pools")) {
                    if (pool.path("name").asText().equals("flood"))
                      return pool.path("inFlight").asInt(-1) == 0;
                  }
                  return false;
                });

        // Meanwhile another session is served as usual.
        List<com.fasterxml.jackson.databind.JsonNode> answer =
            other.callTool(
                "1", "echo", DaemonProcess.JSON.createObjectNode().put("text", "unaffected"), null);
        assertEquals(
            "unaffected", answer.get(answer.size() - 1).at("/result/content/0/text").asText());

        // What the stalled client can still read is a bounded prefix of its own stream, then the
        // end.
        long read = drain(socket.getInputStream());
        assertTrue(
            read < 64L * 1024 * 1024, "the stalled stream was cut off after " + read + " bytes");
        assertTrue(
            !daemon.get("/metrics").body().contains("tandem_tool_calls_total{tool=\"flood\"}"),
            "the flood call never answered");
      }
      // The stalled client's session itself survives: only its stream was closed.
      List<com.fasterxml.jackson.databind.JsonNode> again =
          stalled.callTool(
              "2", "echo", DaemonProcess.JSON.createObjectNode().put("text", "back"), null);
      assertEquals("back", again.get(again.size() - 1).at("/result/content/0/text").asText());
    }
  }

  private static long drain(InputStream in) {
    long total = 0;
    byte[] buf = new byte[64 * 1024];
    try {
      int n;
      while ((n = in.read(buf)) > 0) total += n;
    } catch (IOException e) {
      // a reset is a fine end too
    }
    return total;
  }
}
