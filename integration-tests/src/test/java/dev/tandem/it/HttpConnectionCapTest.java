package dev.tandem.it;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Connections past [http] max_connections are refused with a 503 that says why and when to come
 * back (Retry-After), instead of being held until the daemon runs out of file descriptors; once a
 * connection closes, new ones are served again.
 */
class HttpConnectionCapTest {

  @Test
  void connectionPastTheCapGets503WithRetryAfter(@TempDir Path dir) throws Exception {
    Path config =
        Tandem.config(
            dir,
            Tandem.examplesPool("cap", 1)
                + """
        [http]
        max_connections = 3
        """);
    try (HttpDaemon daemon = HttpDaemon.serve(config)) {
      String host = "127.0.0.1:" + daemon.mcp().getPort();
      List<Socket> held = new ArrayList<>();
      try {
        for (int i = 0; i < 3; i++)
          held.add(new Socket(daemon.mcp().getHost(), daemon.mcp().getPort()));
        // The 3 are accepted (and counted) by the time a request on one of them is answered.
        for (Socket s : held) assertTrue(exchangeOn(s, host).startsWith("HTTP/1.1 200"));

        String refused =
            RawHttp.raw(daemon.mcp(), "GET /healthz HTTP/1.1\r\nHost: " + host + "\r\n\r\n");
        assertTrue(refused.startsWith("HTTP/1.1 503"), refused);
        assertTrue(
            refused.contains("retry-after: 5") || refused.contains("Retry-After: 5"), refused);
        assertTrue(refused.contains("max_connections"), refused);
      } finally {
        for (Socket s : held) s.close();
      }
      await()
          .atMost(Duration.ofSeconds(20))
          .until(
              () ->
                  RawHttp.raw(
                          daemon.mcp(),
                          "GET /healthz HTTP/1.1\r\nHost: "
                              + host
                              + "\r\nConnection: close\r\n\r\n")
                      .startsWith("HTTP/1.1 200"));
    }
  }

  /** One keep-alive request on an open socket; returns the status line. */
  static String exchangeOn(Socket s, String host) throws Exception {
    s.setSoTimeout(20_000);
    s.getOutputStream().write(("GET /healthz HTTP/1.1\r\nHost: " + host + "\r\n\r\n").getBytes());
    StringBuilder line = new StringBuilder();
    int c;
    while ((c = s.getInputStream().read()) >= 0 && c != '\n') line.append((char) c);
    return line.toString();
  }
}
