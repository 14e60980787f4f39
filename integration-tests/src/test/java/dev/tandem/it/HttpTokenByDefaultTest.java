package dev.tandem.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * HTTP is closed to other local users by default (issue 17, item 8): the first {@code serve --http}
 * with no token configured generates one into a 0600 file beside its runtime file, an
 * unauthenticated request gets 401, and the owner's own tools find the token through the runtime
 * file with no setup. The next start keeps the same token, so configured hosts go on working; the
 * token never reaches the log.
 */
class HttpTokenByDefaultTest {

  @Test
  void theFirstServeGeneratesAPrivateTokenThatTheOwnersToolsFind(@TempDir Path dir)
      throws Exception {
    Path runtime = Files.createDirectories(dir.resolve("run"));
    Map<String, String> env = Map.of("XDG_RUNTIME_DIR", runtime.toString());
    Path tokenFile = runtime.resolve("tandem/http-token");
    String token;
    try (HttpDaemon daemon = HttpDaemon.serve(null, env, false).awaitReady()) {
      assertEquals(
          "rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(tokenFile)));
      assertEquals(
          "rwx------",
          PosixFilePermissions.toString(Files.getPosixFilePermissions(tokenFile.getParent())));
      token = Files.readString(tokenFile).trim();
      assertTrue(
          token.length() >= 40, "256 random bits, base64url: " + token.length() + " characters");
      JsonNode runtimeFile =
          DaemonProcess.JSON.readTree(runtime.resolve("tandem/daemon.json").toFile());
      assertEquals(token, runtimeFile.path("token").asText());

      HttpResponse<String> anonymous = daemon.client().post(initialize());
      assertEquals(401, anonymous.statusCode(), anonymous.body());
      HttpResponse<String> wrong =
          daemon.client(Map.of("Authorization", "Bearer not-" + token)).post(initialize());
      assertEquals(401, wrong.statusCode(), wrong.body());
      McpHttpClient owner = daemon.client(Map.of("Authorization", "Bearer " + token));
      assertEquals("tandem", owner.initialize().at("/result/serverInfo/name").asText());

      TandemCli.Result status = TandemCli.run(Tandem.BIN, List.of("status"), env, null);
      assertEquals(0, status.status(), status.toString());
      assertTrue(status.stdout().startsWith("tandem at " + daemon.mcp()), status.toString());

      assertFalse(
          daemon.stderrText().contains(token),
          "the token is not in the log:\n" + daemon.stderrText());
      assertTrue(daemon.stderrText().contains("bearer token in " + tokenFile), daemon.stderrText());
    }
    try (HttpDaemon again = HttpDaemon.serve(null, env, false)) {
      assertEquals(
          token, Files.readString(tokenFile).trim(), "a second start keeps the install's token");
      McpHttpClient owner = again.client(Map.of("Authorization", "Bearer " + token));
      assertEquals("tandem", owner.initialize().at("/result/serverInfo/name").asText());
    }
  }

  @Test
  void anEmptyTokenInTheConfigServesOpenlyAndWritesNoTokenFile(@TempDir Path dir) throws Exception {
    Path runtime = Files.createDirectories(dir.resolve("run"));
    try (HttpDaemon daemon =
        HttpDaemon.serve(null, Map.of("XDG_RUNTIME_DIR", runtime.toString()), true)) {
      assertEquals("tandem", daemon.client().initialize().at("/result/serverInfo/name").asText());
      assertFalse(Files.exists(runtime.resolve("tandem/http-token")));
      assertFalse(
          DaemonProcess.JSON.readTree(runtime.resolve("tandem/daemon.json").toFile()).has("token"));
      assertTrue(daemon.stderrText().contains("serving HTTP without a token"), daemon.stderrText());
    }
  }

  private static JsonNode initialize() {
    var params = DaemonProcess.JSON.createObjectNode().put("protocolVersion", "2025-11-25");
    params.putObject("capabilities");
    params.putObject("clientInfo").put("name", "anonymous").put("version", "0");
    return McpHttpClient.request("init", "initialize", params);
  }
}
