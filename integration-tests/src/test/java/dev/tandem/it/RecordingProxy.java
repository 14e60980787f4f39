package dev.tandem.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;

/**
 * A loopback HTTP proxy in front of tandem's /mcp that streams every response through as it comes
 * and keeps a copy: what a host sent and what it received, SSE events included, for hosts that do
 * not show their wire (Claude Code, mcp-remote).
 */
final class RecordingProxy implements AutoCloseable {

  /** One request and its response; the response body grows while it streams. */
  record Exchange(
      String method,
      String requestBody,
      int status,
      String contentType,
      ByteArrayOutputStream response) {

    JsonNode request() {
      try {
        return DaemonProcess.JSON.readTree(requestBody);
      } catch (IOException e) {
        return DaemonProcess.JSON.nullNode();
      }
    }

    /** The JSON messages of the response: the body itself, or each SSE event's data. */
    List<JsonNode> messages() {
      String body;
      synchronized (response) {
        body = response.toString(StandardCharsets.UTF_8);
      }
      List<JsonNode> out = new ArrayList<>();
      try {
        if (contentType != null && contentType.startsWith("application/json")) {
          out.add(DaemonProcess.JSON.readTree(body));
        } else {
          for (String line : body.split("\n")) {
            if (line.startsWith("data:") && line.length() > 5)
              out.add(DaemonProcess.JSON.readTree(line.substring(5).trim()));
          }
        }
      } catch (IOException e) {
        throw new AssertionError("an unreadable body from tandem: " + body, e);
      }
      return out;
    }
  }

  private static final Set<String> NOT_FORWARDED =
      Set.of(
          "host",
          "content-length",
          "connection",
          "expect",
          "upgrade",
          "transfer-encoding",
          "keep-alive");

  private final HttpServer server;
  private final URI target;
  private final HttpClient http =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(10))
          .build();
  private final List<Exchange> exchanges = new CopyOnWriteArrayList<>();

  RecordingProxy(URI target) throws IOException {
    this.target = target;
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.setExecutor(Executors.newCachedThreadPool());
    server.createContext("/", this::forward);
    server.start();
  }

  /** The proxy's address for tandem's /mcp. */
  URI mcp() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + target.getPath());
  }

  List<Exchange> exchanges() {
    return exchanges;
  }

  private void forward(HttpExchange exchange) throws IOException {
    try (exchange) {
      byte[] body = exchange.getRequestBody().readAllBytes();
      HttpRequest.Builder request =
          HttpRequest.newBuilder(target.resolve(exchange.getRequestURI().getRawPath()))
              .method(
                  exchange.getRequestMethod(),
                  body.length == 0
                      ? HttpRequest.BodyPublishers.noBody()
                      : HttpRequest.BodyPublishers.ofByteArray(body));
      exchange
          .getRequestHeaders()
          .forEach(
              (name, values) -> {
                if (!NOT_FORWARDED.contains(name.toLowerCase()))
                  values.forEach(v -> request.header(name, v));
              });
      HttpResponse<InputStream> response;
      try {
        response = http.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
      String type = response.headers().firstValue("content-type").orElse(null);
      Exchange recorded =
          new Exchange(
              exchange.getRequestMethod(),
              new String(body, StandardCharsets.UTF_8),
              response.statusCode(),
              type,
              new ByteArrayOutputStream());
      exchanges.add(recorded);
      response
          .headers()
          .map()
          .forEach(
              (name, values) -> {
                if (!NOT_FORWARDED.contains(name.toLowerCase()) && !name.startsWith(":"))
                  exchange.getResponseHeaders().put(name, values);
              });
      long length = response.headers().firstValueAsLong("content-length").orElse(-2);
      exchange.sendResponseHeaders(response.statusCode(), length == 0 ? -1 : 0);
      try (InputStream in = response.body()) {
        OutputStream out = exchange.getResponseBody();
        byte[] buffer = new byte[8192];
        int n;
        while ((n = in.read(buffer)) > 0) {
          synchronized (recorded.response()) {
            recorded.response().write(buffer, 0, n);
          }
          out.write(buffer, 0, n);
          out.flush();
        }
      } catch (IOException e) {
        // The host closed its end (a cancelled call): tandem's stream is closed with it.
      }
    }
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
