package dev.tandem.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * With a static token and no OAuth, a host that probes the OAuth discovery paths (as Claude Code
 * does after a 401) must hear 404, not 401: a 401 there made it try dynamic client registration and
 * report "Dynamic Client Registration rejected (HTTP 401)" instead of "needs a bearer token".
 */
class OAuthDiscoveryWithStaticTokenTest {

  static final String TOKEN = "it-oauth-3c9d";

  @TempDir static Path dir;
  static HttpDaemon daemon;

  @BeforeAll
  static void start() throws Exception {
    daemon =
        HttpDaemon.serve(
            Tandem.config(dir, Tandem.examplesPool("oauth", 1)),
            Map.of("TANDEM_HTTP_TOKEN", TOKEN));
  }

  @AfterAll
  static void stop() {
    if (daemon != null) daemon.close();
  }

  @Test
  void discoveryPathsAreNotFoundWithoutAToken() throws Exception {
    for (String path :
        List.of(
            "/.well-known/oauth-protected-resource",
            "/.well-known/oauth-protected-resource/mcp",
            "/.well-known/oauth-authorization-server",
            "/.well-known/oauth-authorization-server/mcp",
            "/.well-known/openid-configuration",
            "/mcp/.well-known/openid-configuration")) {
      HttpResponse<String> r = daemon.get(path);
      assertEquals(404, r.statusCode(), path + ": " + r.body());
      assertTrue(r.headers().firstValue("WWW-Authenticate").isEmpty(), path);
      assertTrue(
          r.body().contains("does not offer OAuth") && r.body().contains("Authorization: Bearer"),
          r.body());
    }
  }

  @Test
  void clientRegistrationIsNotFound() throws Exception {
    HttpResponse<String> r =
        daemon.http.send(
            HttpRequest.newBuilder(daemon.uri("/register"))
                .timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json")
                .POST(
                    HttpRequest.BodyPublishers.ofString(
                        "{\"redirect_uris\":[\"http://localhost:1/cb\"]}"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertEquals(404, r.statusCode(), r.body());
  }

  @Test
  void mcpStillWantsTheToken() throws Exception {
    HttpResponse<String> r =
        daemon.client().post("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}", Map.of());
    assertEquals(401, r.statusCode(), r.body());
  }
}
