package dev.tandem.it;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Connections that do nothing, or do it a byte at a time, used to be held forever: enough of them
 * and the daemon ran out of file descriptors. Now an idle connection is closed after [http]
 * idle_timeout_ms and a request that has not fully arrived after [http] read_timeout_ms is answered
 * 408 and closed, however steadily it trickles. What is open on purpose is exempt: an SSE stream,
 * and a POST whose call runs longer than the idle timeout.
 */
class HttpIdleAndTricklingConnectionsTest {

  static final int IDLE_MS = 1500;
  static final int READ_MS = 2000;

  @TempDir static Path dir;
  static HttpDaemon daemon;
  static String host;

  @BeforeAll
  static void start() throws Exception {
    daemon =
        HttpDaemon.serve(
                Tandem.config(
                    dir,
                    Tandem.examplesPool("clock", 1)
                        + """
        [http]
        idle_timeout_ms = %d
        read_timeout_ms = %d
        keepalive_ms = 600000
        """
                            .formatted(IDLE_MS, READ_MS)))
            .awaitReady();
    host = "127.0.0.1:" + daemon.mcp().getPort();
  }

  @AfterAll
  static void stop() {
    if (daemon != null) daemon.close();
  }

  Socket connect() throws IOException {
    Socket s = new Socket(daemon.mcp().getHost(), daemon.mcp().getPort());
    s.setSoTimeout(20_000);
    return s;
  }

  /** Everything the server sends until it closes; a SocketTimeoutException if it never does. */
  static String readToClose(Socket s) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    s.getInputStream().transferTo(out);
    return out.toString(StandardCharsets.UTF_8);
  }

  /** Reads what is there for a moment: false once the server has closed the connection. */
  static boolean open(Socket s) throws IOException {
    s.setSoTimeout(100);
    try {
      byte[] buf = new byte[4096];
      return s.getInputStream().read(buf) >= 0;
    } catch (SocketTimeoutException e) {
      return true;
    }
  }

  /**
   * Writes {@code head} at once, then {@code tail} one byte every 100 ms until the server stops it.
   */
  static Thread trickle(Socket s, String head, String tail) {
    return Thread.ofVirtual()
        .start(
            () -> {
              try {
                OutputStream out = s.getOutputStream();
                out.write(head.getBytes(StandardCharsets.US_ASCII));
                out.flush();
                for (int i = 0; !Thread.currentThread().isInterrupted(); i++) {
                  out.write(tail.charAt(i % tail.length()));
                  out.flush();
                  Thread.sleep(100); // the pace of the trickle, not a wait for anything
                }
              } catch (IOException | InterruptedException e) {
                // closed by the server: what the test wants
              }
            });
  }

  @Test
  void connectionThatSendsNothingIsClosed() throws Exception {
    try (Socket s = connect()) {
      assertEquals("", readToClose(s));
    }
  }

  @Test
  void keepAliveConnectionIsClosedOnceIdle() throws Exception {
    try (Socket s = connect()) {
      s.getOutputStream()
          .write(
              ("GET /healthz HTTP/1.1\r\nHost: " + host + "\r\n\r\n")
                  .getBytes(StandardCharsets.US_ASCII));
      String response = readToClose(s);
      assertTrue(response.startsWith("HTTP/1.1 200"), response);
      assertTrue(
          !response.toLowerCase().contains("connection: close"),
          "kept alive, then closed for idling: " + response);
    }
  }

  @Test
  void tricklingHeadIsAnswered408() throws Exception {
    try (Socket s = connect()) {
      Thread t = trickle(s, "GET /healthz HTTP/1.1\r\nHost: " + host + "\r\nX-Slow: ", "abcdefgh");
      String response = readToClose(s);
      t.interrupt();
      assertTrue(response.startsWith("HTTP/1.1 408"), response);
      assertTrue(response.contains("read_timeout_ms"), response);
    }
  }

  @Test
  void tricklingBodyIsAnswered408() throws Exception {
    try (Socket s = connect()) {
      Thread t =
          trickle(
              s,
              "POST /mcp HTTP/1.1\r\nHost: "
                  + host
                  + "\r\nContent-Type: application/json\r\n"
                  + "Accept: application/json, text/event-stream\r\nContent-Length: 100000\r\n\r\n",
              "{\"x\":1}");
      String response = readToClose(s);
      t.interrupt();
      assertTrue(response.startsWith("HTTP/1.1 408"), response);
    }
  }

  @Test
  void openSseStreamIsNotIdle() throws Exception {
    McpHttpClient client = daemon.client();
    client.initialize();
    try (Socket s = connect()) {
      s.getOutputStream()
          .write(
              ("GET /mcp HTTP/1.1\r\nHost: "
                      + host
                      + "\r\nAccept: text/event-stream\r\nMcp-Session-Id: "
                      + client.sessionId
                      + "\r\nMCP-Protocol-Version: "
                      + McpHttpClient.VERSION
                      + "\r\n\r\n")
                  .getBytes(StandardCharsets.US_ASCII));
      InputStream in = s.getInputStream();
      byte[] head = new byte[12];
      assertEquals(12, in.readNBytes(head, 0, 12));
      assertEquals("HTTP/1.1 200", new String(head, StandardCharsets.US_ASCII));
      // Three idle timeouts with no keep-alive comment (keepalive_ms is 10 minutes): still open.
      await()
          .during(Duration.ofMillis(3L * IDLE_MS))
          .atMost(Duration.ofMillis(3L * IDLE_MS + 5000))
          .until(() -> open(s));
    }
  }

  @Test
  void callLongerThanTheIdleTimeoutIsAnswered() throws Exception {
    McpHttpClient client = daemon.client();
    client.initialize();
    JsonNode args = DaemonProcess.JSON.createObjectNode().put("seconds", 2.0 * IDLE_MS / 1000);
    List<JsonNode> messages = client.callTool("long", "sleep", args, null);
    JsonNode answer = messages.get(messages.size() - 1);
    assertEquals("long", answer.path("id").asText(), answer.toString());
    assertTrue(
        answer.has("result") && !answer.at("/result/isError").asBoolean(), answer.toString());
  }
}
