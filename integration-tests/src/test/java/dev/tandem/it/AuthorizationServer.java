package dev.tandem.it;

import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The real authorization server of the OAuth tests: integration-tests/node/oauth-server.mjs, the
 * official TypeScript SDK's auth router and demo provider, started on a free loopback port.
 */
final class AuthorizationServer implements AutoCloseable {

  static final String INTROSPECTION_CLIENT_ID = "tandem-rs";
  static final String INTROSPECTION_SECRET = "introspect-secret-7f3a";

  private final Process process;
  final String issuer;
  private final HttpClient http = HttpClient.newHttpClient();

  private AuthorizationServer(Process process, String issuer) {
    this.process = process;
    this.issuer = issuer;
  }

  static AuthorizationServer start() throws IOException {
    Path err = Files.createTempFile("oauth-server", ".log");
    Process p =
        new ProcessBuilder("node", Tandem.NODE_DIR.resolve("oauth-server.mjs").toString())
            .directory(Tandem.NODE_DIR.toFile())
            .redirectError(err.toFile())
            .start();
    AtomicReference<String> line = new AtomicReference<>();
    Thread reader =
        new Thread(
            () -> {
              try {
                line.set(
                    new BufferedReader(
                            new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))
                        .readLine());
              } catch (IOException e) {
                line.set("");
              }
            },
            "oauth-server-stdout");
    reader.setDaemon(true);
    reader.start();
    await().atMost(Duration.ofSeconds(60)).until(() -> line.get() != null || !p.isAlive());
    if (line.get() == null || line.get().isEmpty())
      throw new AssertionError("oauth-server.mjs did not start: " + Files.readString(err));
    return new AuthorizationServer(
        p, DaemonProcess.JSON.readTree(line.get()).get("issuer").asText());
  }

  /** An access token made to order: {@code claims} as oauth-server.mjs's /test/mint reads them. */
  String mint(ObjectNode claims) throws IOException, InterruptedException {
    return post("/test/mint", claims).get("access_token").asText();
  }

  /** A new signing key replaces the old one in the JWKS. */
  void rotate() throws IOException, InterruptedException {
    post("/test/rotate", DaemonProcess.JSON.createObjectNode());
  }

  private JsonNode post(String path, JsonNode body) throws IOException, InterruptedException {
    HttpResponse<String> r =
        http.send(
            HttpRequest.newBuilder(URI.create(issuer).resolve(path))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body.toString()))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 200) throw new AssertionError(path + ": " + r.statusCode() + r.body());
    return DaemonProcess.JSON.readTree(r.body());
  }

  /** Stops it as an outage would: the process is gone, its port refuses connections. */
  @Override
  public void close() {
    process.destroyForcibly();
    try {
      process.waitFor();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
