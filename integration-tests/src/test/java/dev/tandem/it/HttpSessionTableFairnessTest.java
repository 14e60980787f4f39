package dev.tandem.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * One client opening sessions in a loop cannot lock others out of the 1,000-session table for the
 * 30-minute idle time (issue 17, item 8). Each principal (credential and peer address; here
 * 127.0.0.1, 127.0.0.2... on loopback) holds at most 250; past that, or in a full table, a new
 * session takes the place of an idle one of the client holding the most, never of a session with a
 * stream or a call open.
 */
class HttpSessionTableFairnessTest {

  private static final Pattern SESSION = Pattern.compile("(?im)^mcp-session-id: *(\\S+)");
  private static HttpDaemon daemon;

  @BeforeAll
  static void start() throws Exception {
    daemon = HttpDaemon.serve(null, Map.of(), true);
  }

  @AfterAll
  static void stop() {
    if (daemon != null) daemon.close();
  }

  @Test
  void aFloodFromOneAddressEvictsItsOwnIdleSessionsNotAnotherClientsOrABusyOne() throws Exception {
    String other = initialize("127.0.0.2");
    String busy = initialize("127.0.0.1");
    try (Socket stream = openGetStream("127.0.0.1", busy)) {
      String firstIdle = initialize("127.0.0.1");
      for (int i = 0; i < 300; i++) initialize("127.0.0.1");
      assertEquals(
          404,
          status(ping("127.0.0.1", firstIdle)),
          "the flooder's own oldest idle session made room");
      assertEquals(
          200,
          status(ping("127.0.0.1", busy)),
          "a session with its GET stream open is never evicted");
      assertEquals(
          200, status(ping("127.0.0.2", other)), "another client's idle session is untouched");
      assertEquals(200, status(post("127.0.0.3", null, initializeBody())), "a new client gets in");
    }
  }

  @Test
  void aFullTableMakesRoomFromTheClientHoldingTheMost() throws Exception {
    String small = initialize("127.0.1.9");
    for (int p = 1; p <= 4; p++) {
      for (int i = 0; i < 250; i++) initialize("127.0.1." + p);
    }
    String late = post("127.0.1.5", null, initializeBody());
    assertEquals(200, status(late), late);
    assertEquals(200, status(ping("127.0.1.9", small)), "the client with one session keeps it");
    String metrics = daemon.get("/metrics").body();
    assertTrue(
        metrics.contains("tandem_http_sessions 1000"),
        metrics.lines().filter(l -> l.contains("sessions")).toList().toString());
  }

  private static String initialize(String from) throws IOException {
    String response = post(from, null, initializeBody());
    assertEquals(200, status(response), response);
    Matcher m = SESSION.matcher(response);
    assertTrue(m.find(), response);
    return m.group(1);
  }

  private static String initializeBody() {
    return "{\"jsonrpc\":\"2.0\",\"id\":0,\"method\":\"initialize\",\"params\":{\"protocolVersion\":\""
        + McpHttpClient.VERSION
        + "\",\"capabilities\":{},\"clientInfo\":{\"name\":\"fair\",\"version\":\"0\"}}}";
  }

  private static String ping(String from, String session) throws IOException {
    return post(from, session, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}");
  }

  private static int status(String response) {
    return Integer.parseInt(response.substring(9, 12));
  }

  /** One POST with Connection: close from the local address {@code from}. */
  private static String post(String from, String session, String body) throws IOException {
    URI mcp = daemon.mcp();
    try (Socket s = connectFrom(from)) {
      byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
      String head =
          "POST /mcp HTTP/1.1\r\nHost: 127.0.0.1:"
              + mcp.getPort()
              + "\r\n"
              + "Content-Type: application/json\r\nAccept: application/json, text/event-stream\r\n"
              + (session == null
                  ? ""
                  : "Mcp-Session-Id: "
                      + session
                      + "\r\nMCP-Protocol-Version: "
                      + McpHttpClient.VERSION
                      + "\r\n")
              + "Content-Length: "
              + bytes.length
              + "\r\nConnection: close\r\n\r\n";
      s.getOutputStream().write(head.getBytes(StandardCharsets.US_ASCII));
      s.getOutputStream().write(bytes);
      s.getOutputStream().flush();
      InputStream in = s.getInputStream();
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      in.transferTo(out);
      return out.toString(StandardCharsets.UTF_8);
    }
  }

  /** A GET stream left open: the session is busy while it is. */
  private static Socket openGetStream(String from, String session) throws IOException {
    Socket s = connectFrom(from);
    String head =
        "GET /mcp HTTP/1.1\r\nHost: 127.0.0.1:"
            + daemon.mcp().getPort()
            + "\r\nAccept: text/event-stream\r\n"
            + "Mcp-Session-Id: "
            + session
            + "\r\nMCP-Protocol-Version: "
            + McpHttpClient.VERSION
            + "\r\n\r\n";
    s.getOutputStream().write(head.getBytes(StandardCharsets.US_ASCII));
    s.getOutputStream().flush();
    byte[] status = s.getInputStream().readNBytes(12);
    assertEquals(
        "HTTP/1.1 200", new String(status, StandardCharsets.US_ASCII), "the GET stream opened");
    return s;
  }

  private static Socket connectFrom(String local) throws IOException {
    Socket s = new Socket();
    s.setSoTimeout(30_000);
    s.bind(new InetSocketAddress(InetAddress.getByName(local), 0));
    s.connect(new InetSocketAddress("127.0.0.1", daemon.mcp().getPort()), 10_000);
    return s;
  }
}
