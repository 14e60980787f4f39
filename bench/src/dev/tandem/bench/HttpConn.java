package dev.tandem.bench;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * One keep-alive HTTP/1.1 connection on a plain blocking socket, as little client as a load
 * generator that shares two cores with the server it measures can afford: a request is one write
 * (head and body together), a response is read whole, by {@code Content-Length} or chunked, and
 * its body is kept as text. The JDK's {@code HttpClient} on virtual threads, tried first, cost the
 * load generator about five times the CPU per call (476 against 87 µs, 50 users against tandem,
 * same run) and so drove 2.4× fewer calls/s: on a two-core machine the client's CPU is taken
 * from the server under test.
 */
final class HttpConn implements AutoCloseable {

  /** A response: status, the headers the bench reads, the body as text. */
  record Response(int status, String contentType, String sessionId, String body) {

    /** The JSON-RPC message(s) of the body: the JSON itself, or each SSE event's data joined by newlines. */
    String messages() {
      if (contentType == null || !contentType.startsWith("text/event-stream")) return body;
      StringBuilder out = new StringBuilder();
      int i = 0;
      while (i < body.length()) {
        int end = body.indexOf('\n', i);
        if (end < 0) end = body.length();
        if (body.startsWith("data:", i)) {
          int from = i + 5;
          if (from < end && body.charAt(from) == ' ') from++;
          out.append(body, from, end).append('\n');
        }
        i = end + 1;
      }
      return out.toString();
    }

    /** A 200 whose last message is a result (not an error) for {@code id}. */
    boolean isResult(String id) {
      if (status != 200) return false;
      String m = messages();
      int at = m.lastIndexOf("\"id\":" + id);
      return at >= 0 && m.contains("\"result\"") && !m.contains("\"error\"");
    }
  }

  private final Socket socket;
  private final OutputStream out;
  private final InputStream in;
  private final String hostHeader;
  private final byte[] line = new byte[8192];

  HttpConn(String host, int port) throws IOException {
    socket = new Socket();
    socket.setTcpNoDelay(true);
    socket.connect(new InetSocketAddress(host, port), 10_000);
    socket.setSoTimeout(30_000);
    out = socket.getOutputStream();
    in = new BufferedInputStream(socket.getInputStream(), 64 * 1024);
    hostHeader = host + ":" + port;
  }

  /** POST {@code body} to {@code path}; {@code headers} are extra lines, each ending in CRLF. */
  Response post(String path, String headers, byte[] body) throws IOException {
    String head = "POST " + path + " HTTP/1.1\r\nHost: " + hostHeader
        + "\r\nContent-Type: application/json\r\nAccept: application/json, text/event-stream\r\nContent-Length: " + body.length
        + "\r\n" + headers + "\r\n";
    byte[] h = head.getBytes(StandardCharsets.ISO_8859_1);
    byte[] all = new byte[h.length + body.length];
    System.arraycopy(h, 0, all, 0, h.length);
    System.arraycopy(body, 0, all, h.length, body.length);
    out.write(all);
    out.flush();
    return read();
  }

  Response send(String method, String path, String headers) throws IOException {
    out.write((method + " " + path + " HTTP/1.1\r\nHost: " + hostHeader + "\r\n" + headers + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
    out.flush();
    return read();
  }

  private Response read() throws IOException {
    String status = readLine();
    if (status == null) throw new EOFException("the server closed the connection");
    int code = Integer.parseInt(status.substring(9, 12));
    long length = -1;
    boolean chunked = false;
    String type = null;
    String session = null;
    String h;
    while ((h = readLine()) != null && !h.isEmpty()) {
      int colon = h.indexOf(':');
      if (colon < 0) continue;
      String name = h.substring(0, colon).trim().toLowerCase(Locale.ROOT);
      String value = h.substring(colon + 1).trim();
      switch (name) {
        case "content-length" -> length = Long.parseLong(value);
        case "transfer-encoding" -> chunked = value.toLowerCase(Locale.ROOT).contains("chunked");
        case "content-type" -> type = value;
        case "mcp-session-id" -> session = value;
        default -> {}
      }
    }
    String body;
    if (chunked) {
      java.io.ByteArrayOutputStream b = new java.io.ByteArrayOutputStream(256);
      while (true) {
        String size = readLine();
        if (size == null) throw new EOFException("the server closed the connection mid-response");
        int semi = size.indexOf(';');
        int n = Integer.parseInt((semi < 0 ? size : size.substring(0, semi)).trim(), 16);
        if (n == 0) {
          while ((h = readLine()) != null && !h.isEmpty()) {} // trailers
          break;
        }
        b.write(in.readNBytes(n));
        readLine();
      }
      body = b.toString(StandardCharsets.UTF_8);
    } else if (length >= 0) {
      byte[] bytes = in.readNBytes((int) length);
      if (bytes.length < length) throw new EOFException("the server closed the connection mid-body");
      body = new String(bytes, StandardCharsets.UTF_8);
    } else {
      body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    return new Response(code, type, session, body);
  }

  /** One CRLF-terminated line without its terminator, or null at the end of the stream. */
  private String readLine() throws IOException {
    int n = 0;
    while (true) {
      int c = in.read();
      if (c < 0) return n == 0 ? null : new String(line, 0, n, StandardCharsets.ISO_8859_1);
      if (c == '\n') {
        if (n > 0 && line[n - 1] == '\r') n--;
        return new String(line, 0, n, StandardCharsets.ISO_8859_1);
      }
      if (n == line.length) throw new IOException("header line longer than " + line.length + " bytes");
      line[n++] = (byte) c;
    }
  }

  @Override
  public void close() {
    try {
      socket.close();
    } catch (IOException ignored) {
      // closing anyway
    }
  }
}
