package dev.tandem.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Request heads HTTP/1.1 forbids or the codec cannot read are answered for what they are (400, 414,
 * 431), even when they carry a valid token: the decoder's verdict used to reach the gates as a
 * half-parsed request and come back as 401, sending the client to look at its token.
 */
class HttpMalformedHeadTest {

  static final String TOKEN = "it-malformed-5b1e";

  @TempDir static Path dir;
  static HttpDaemon daemon;
  static String host;

  @BeforeAll
  static void start() throws Exception {
    daemon =
        HttpDaemon.serve(
            Tandem.config(dir, Tandem.examplesPool("heads", 1)),
            Map.of("TANDEM_HTTP_TOKEN", TOKEN));
    host = "127.0.0.1:" + daemon.mcp().getPort();
  }

  @AfterAll
  static void stop() {
    if (daemon != null) daemon.close();
  }

  /** A POST /mcp head with a valid token and the given extra lines, then an initialize body. */
  static String post(String target, String extraHeaders) {
    String body =
        "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{\"protocolVersion\":\"2025-06-18\","
            + "\"capabilities\":{},\"clientInfo\":{\"name\":\"it\",\"version\":\"0\"}}}";
    return "POST "
        + target
        + " HTTP/1.1\r\nHost: "
        + host
        + "\r\nAuthorization: Bearer "
        + TOKEN
        + "\r\nContent-Type: application/json\r\nAccept: application/json, text/event-stream\r\n"
        + extraHeaders
        + "Content-Length: "
        + body.length()
        + "\r\n\r\n"
        + body;
  }

  static void assertAnswered(String response, int status, String says) throws Exception {
    assertTrue(response.startsWith("HTTP/1.1 " + status + " "), response);
    assertTrue(response.contains("\"code\":-32000"), response);
    assertTrue(response.contains(says), response);
    assertEquals(200, daemon.get("/healthz").statusCode(), "the daemon serves on");
  }

  @Test
  void twoHostHeadersAreABadRequest() throws Exception {
    assertAnswered(
        RawHttp.raw(daemon.mcp(), post("/mcp", "Host: " + host + "\r\n")),
        400,
        "more than one Host header");
  }

  @Test
  void headersOver16KibAreTooLargeNotUnauthorized() throws Exception {
    String big = "X-Padding: " + "a".repeat(20 * 1024) + "\r\n";
    assertAnswered(
        RawHttp.raw(daemon.mcp(), post("/mcp", big)), 431, "Request Header Fields Too Large");
  }

  @Test
  void controlByteInSessionIdIsABadRequestNotUnauthorized() throws Exception {
    assertAnswered(
        RawHttp.raw(daemon.mcp(), post("/mcp", "Mcp-Session-Id: abc\u0001def\r\n")),
        400,
        "Bad Request");
  }

  @Test
  void requestLineOver8KibIsUriTooLong() throws Exception {
    assertAnswered(
        RawHttp.raw(daemon.mcp(), post("/mcp?" + "q".repeat(10 * 1024), "")), 414, "URI Too Long");
  }
}
