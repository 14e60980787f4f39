package dev.tandem.it;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;

/** HTTP/1.1 written by hand on a socket: for what java.net.http will not send (a forged Host). */
final class RawHttp {

  private RawHttp() {}

  /** Sends one request with {@code Connection: close} and returns the whole response as text. */
  static String exchange(URI server, String head, String body) throws IOException {
    try (Socket s = new Socket(server.getHost(), server.getPort())) {
      s.setSoTimeout(30_000);
      byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
      String request = head + "Content-Length: " + bytes.length + "\r\nConnection: close\r\n\r\n";
      s.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
      s.getOutputStream().write(bytes);
      s.getOutputStream().flush();
      InputStream in = s.getInputStream();
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      in.transferTo(out);
      return out.toString(StandardCharsets.UTF_8);
    }
  }

  /**
   * Sends bytes exactly as given (no header added) and returns everything until the server closes.
   */
  static String raw(URI server, String request) throws IOException {
    try (Socket s = new Socket(server.getHost(), server.getPort())) {
      s.setSoTimeout(30_000);
      s.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
      s.getOutputStream().flush();
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      s.getInputStream().transferTo(out);
      return out.toString(StandardCharsets.UTF_8);
    }
  }
}
