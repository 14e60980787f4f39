package dev.tandem.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * mcp-remote (pinned in integration-tests/node), the bridge stdio-only hosts use to reach a remote
 * server, between the official SDK's stdio client (sdk-surface-check.mjs) and tandem's Streamable
 * HTTP endpoint: the whole surface contract holds through it (lists, calls, progress, server→client
 * requests, cancellation the Python task sees), and a {@link RecordingProxy} in front of tandem
 * shows what mcp-remote forwarded: the progress token and the notifications/cancelled.
 */
class HostMcpRemoteTest extends FullSurfaceContract {

  static HttpDaemon daemon;
  static RecordingProxy proxy;
  static JsonNode report;
  static Path home;

  @Override
  JsonNode report() {
    return report;
  }

  @BeforeAll
  static void runTheSdkClientThroughMcpRemote() throws Exception {
    daemon = HttpDaemon.serve(SurfaceCheck.fixture()).awaitReady();
    proxy = new RecordingProxy(daemon.mcp());
    Map<String, String> env = new HashMap<>(System.getenv());
    // mcp-remote keeps OAuth state in ~/.mcp-auth: never in the home of the person running the
    // tests.
    home = Files.createTempDirectory("tandem-mcp-remote-home-");
    env.put("HOME", home.toString());
    report =
        NodeScript.run(
            SurfaceCheck.SCRIPT,
            List.of(),
            List.of(
                Tandem.NODE_DIR.resolve("node_modules/.bin/mcp-remote").toString(),
                proxy.mcp().toString()),
            180,
            env);
  }

  @AfterAll
  static void stop() throws IOException {
    if (proxy != null) proxy.close();
    if (daemon != null) daemon.close();
    SurfaceCheck.removeMarker(report);
    if (home != null) {
      try (Stream<Path> files = Files.walk(home)) {
        for (Path p : files.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
      }
    }
  }

  @Test
  void theClientSpokeStdioToMcpRemoteWhichSpokeHttpToTandem() {
    assertEquals("stdio", report.get("transport").asText(), report.toString());
    assertEquals("tandem", report.at("/serverVersion/name").asText(), report.toString());
    JsonNode initialize = requestTo("initialize");
    assertFalse(
        initialize.isMissingNode(), "mcp-remote initialized over HTTP: " + proxy.exchanges());
    assertTrue(
        proxy.exchanges().stream()
            .anyMatch(e -> e.request().path("method").asText().equals("tools/list")));
  }

  @Test
  void mcpRemoteForwardedTheProgressTokenAndTheCancellation() {
    JsonNode progressCall = callWithToken(report.at("/progress/progressToken"));
    assertEquals("slow_steps", progressCall.at("/params/name").asText(), progressCall.toString());
    JsonNode cancelled = requestTo("notifications/cancelled");
    assertFalse(
        cancelled.isMissingNode(),
        "mcp-remote forwarded notifications/cancelled: " + proxy.exchanges());
    JsonNode cancelledCall = callWithToken(report.at("/cancel/progressToken"));
    assertEquals(
        cancelledCall.get("id"),
        cancelled.at("/params/requestId"),
        "the cancellation names the call mcp-remote sent tandem: "
            + cancelled
            + " / "
            + cancelledCall);
  }

  private static JsonNode requestTo(String method) {
    return proxy.exchanges().stream()
        .map(RecordingProxy.Exchange::request)
        .filter(r -> r.path("method").asText().equals(method))
        .findFirst()
        .orElse(DaemonProcess.JSON.missingNode());
  }

  private static JsonNode callWithToken(JsonNode token) {
    return proxy.exchanges().stream()
        .map(RecordingProxy.Exchange::request)
        .filter(
            r ->
                r.path("method").asText().equals("tools/call")
                    && r.at("/params/_meta/progressToken").equals(token))
        .findFirst()
        .orElseThrow(
            () ->
                new AssertionError(
                    "no tools/call with progress token " + token + ": " + proxy.exchanges()));
  }
}
