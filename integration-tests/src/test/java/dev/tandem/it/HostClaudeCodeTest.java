package dev.tandem.it;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Claude Code (the pinned {@code @anthropic-ai/claude-code}) as the host of the real daemon, in a
 * home of its own and with a fake Anthropic Messages API on loopback ({@link FakeAnthropicApi}):
 * tandem added with the exact line {@code tandem install-host claude-code} prints, {@code claude
 * mcp list} showing it connected over stdio and HTTP (with and without a bearer token), and real
 * tool calls by {@code claude -p}: what Claude Code forwarded to the model, the progress it was
 * streamed over HTTP (seen through {@link RecordingProxy}), and the cancellation its
 * MCP_TOOL_TIMEOUT sends, as the Python tool saw it.
 */
class HostClaudeCodeTest {

  static final String TOKEN = "claude-code-it-token-0123456789abcdef";
  static Path config;
  static HttpDaemon open;
  static HttpDaemon guarded;

  @BeforeAll
  static void startDaemons() throws Exception {
    config = HostFixture.config();
    open = HttpDaemon.serve(config);
    guarded = HttpDaemon.serve(config, Map.of("TANDEM_HTTP_TOKEN", TOKEN));
    open.awaitReady();
    guarded.awaitReady();
  }

  @AfterAll
  static void stop() {
    if (open != null) open.close();
    if (guarded != null) guarded.close();
  }

  /** What {@code tandem install-host claude-code} prints for this config: one shell line. */
  static String installLine() throws IOException, InterruptedException {
    TandemCli.Result r =
        TandemCli.run(List.of("install-host", "claude-code", "--config", config.toString()));
    assertEquals(0, r.status(), r.stderr());
    String line = r.stdout().strip();
    assertTrue(line.startsWith("claude mcp add tandem "), line);
    return line;
  }

  static ClaudeCode withTandemOnStdio() throws Exception {
    ClaudeCode claude = new ClaudeCode();
    ClaudeCode.Run added = claude.shell(installLine(), 60);
    assertEquals(0, added.exit(), added.toString());
    return claude;
  }

  @Test
  void mcpListShowsTandemConnectedOverStdioAndHttpWithAndWithoutABearerToken() throws Exception {
    try (ClaudeCode claude = withTandemOnStdio()) {
      for (List<String> add :
          List.of(
              List.of("mcp", "add", "--transport", "http", "tandem-http", open.mcp().toString()),
              List.of(
                  "mcp",
                  "add",
                  "--transport",
                  "http",
                  "tandem-bearer",
                  guarded.mcp().toString(),
                  "--header",
                  "Authorization: Bearer " + TOKEN),
              List.of(
                  "mcp",
                  "add",
                  "--transport",
                  "http",
                  "tandem-no-token",
                  guarded.mcp().toString()))) {
        ClaudeCode.Run r = claude.claude(add, 60);
        assertEquals(0, r.exit(), r.toString());
      }
      ClaudeCode.Run list = claude.claude(List.of("mcp", "list"), 120);
      String stdio = lineOf(list, "tandem:");
      assertTrue(stdio.contains(Tandem.BIN + " serve --config " + config), stdio);
      assertTrue(stdio.endsWith("✔ Connected"), list.toString());
      assertTrue(lineOf(list, "tandem-http:").endsWith("✔ Connected"), list.toString());
      assertTrue(lineOf(list, "tandem-bearer:").endsWith("✔ Connected"), list.toString());
      // The guard is real: the same daemon without the token is not connected.
      String refused = lineOf(list, "tandem-no-token:");
      // After the 401 Claude Code tries OAuth; tandem answers its discovery and registration paths
      // 404 with the reason, so what the user reads is that a bearer token is needed.
      assertTrue(refused.contains("Failed to connect"), list.toString());
      assertTrue(
          refused.contains("this server does not offer OAuth: send Authorization: Bearer <token>"),
          "tandem's own reason reached the user: " + refused);
    }
  }

  @Test
  void aStructuredResultReachesTheModelAsTheToolResult() throws Exception {
    try (ClaudeCode claude = withTandemOnStdio();
        FakeAnthropicApi api =
            new FakeAnthropicApi(
                "mcp__tandem__text_stats",
                DaemonProcess.JSON.readTree("{\"text\": \"one two\\nthree\"}"))) {
      ClaudeCode.Run run =
          claude
              .env("ANTHROPIC_BASE_URL", api.baseUrl().toString())
              .print("Count the words.", "mcp__tandem__text_stats", 180);
      assertEquals(0, run.exit(), run.toString());
      assertTrue(
          api.toolOffered(), "Claude Code offered tandem's tool to the model: " + api.requests());
      JsonNode result = api.toolResult();
      assertNotNull(result, "Claude Code sent the tool's result back to the model: " + run);
      assertFalse(result.path("is_error").asBoolean(false), result.toString());
      JsonNode stats = DaemonProcess.JSON.readTree(textOf(result.get("content")));
      assertEquals(3, stats.get("words").asInt(), result.toString());
      assertEquals(2, stats.get("lines").asInt(), result.toString());
      JsonNode last = lastEvent(run);
      assertEquals(FakeAnthropicApi.ANSWER, last.path("result").asText(), last.toString());
      assertTrue(
          run.stdout()
              .contains("\"structuredContent\":{\"characters\":13,\"words\":3,\"lines\":2}"),
          run.stdout());
    }
  }

  @Test
  void aToolWithProgressOverHttpStreamsItsNotifications() throws Exception {
    try (ClaudeCode claude = new ClaudeCode();
        RecordingProxy proxy = new RecordingProxy(open.mcp());
        FakeAnthropicApi api =
            new FakeAnthropicApi(
                "mcp__tandem-http__slow_steps", DaemonProcess.JSON.readTree("{\"steps\": 3}"))) {
      assertEquals(
          0,
          claude
              .claude(
                  List.of(
                      "mcp", "add", "--transport", "http", "tandem-http", proxy.mcp().toString()),
                  60)
              .exit());
      ClaudeCode.Run run =
          claude
              .env("ANTHROPIC_BASE_URL", api.baseUrl().toString())
              .print("Count slowly.", "mcp__tandem-http__slow_steps", 180);
      assertEquals(0, run.exit(), run.toString());
      assertEquals(
          "took 3 steps", textOf(api.toolResult().get("content")), api.toolResult().toString());

      RecordingProxy.Exchange call =
          proxy.exchanges().stream()
              .filter(e -> e.request().path("method").asText().equals("tools/call"))
              .findFirst()
              .orElseThrow(
                  () ->
                      new AssertionError("no tools/call through the proxy: " + proxy.exchanges()));
      assertEquals(
          "2026-07-28",
          call.request().at("/params/_meta/io.modelcontextprotocol~1protocolVersion").asText(),
          "Claude Code speaks the stateless revision to tandem: " + call.requestBody());
      JsonNode token = call.request().at("/params/_meta/progressToken");
      assertFalse(token.isMissingNode(), "Claude Code asked for progress: " + call.requestBody());
      assertTrue(call.contentType().startsWith("text/event-stream"), call.contentType());
      List<JsonNode> progress = new ArrayList<>();
      for (JsonNode m : call.messages())
        if (m.path("method").asText().equals("notifications/progress"))
          progress.add(m.get("params"));
      assertEquals(3, progress.size(), call.messages().toString());
      for (int i = 0; i < 3; i++) {
        assertEquals(token, progress.get(i).get("progressToken"), progress.toString());
        assertEquals(
            "step " + (i + 1) + " of 3",
            progress.get(i).get("message").asText(),
            progress.toString());
      }
      JsonNode answer = call.messages().get(call.messages().size() - 1);
      assertEquals("took 3 steps", answer.at("/result/content/0/text").asText(), answer.toString());
    }
  }

  @Test
  void mcpToolTimeoutCancelsTheCallAndThePythonToolSeesIt() throws Exception {
    Path marker = HostFixture.marker();
    try (ClaudeCode claude = withTandemOnStdio();
        FakeAnthropicApi api =
            new FakeAnthropicApi(
                "mcp__tandem__slow_steps",
                DaemonProcess.JSON
                    .createObjectNode()
                    .put("steps", 100)
                    .put("marker", marker.toString()))) {
      // Seen while Claude Code still runs (it waits for the model's answer), so the cancel is the
      // timeout's, not tandem stopping when Claude Code exits.
      AtomicReference<String> seenWhileRunning = new AtomicReference<>("(nothing)");
      api.beforeAnswer(
          () -> {
            try {
              await()
                  .atMost(Duration.ofSeconds(8))
                  .until(() -> Files.exists(marker) && !Files.readString(marker).isEmpty());
              seenWhileRunning.set(Files.readString(marker));
            } catch (ConditionTimeoutException | IOException e) {
              seenWhileRunning.set("(no marker while Claude Code ran)");
            }
          });
      ClaudeCode.Run run =
          claude
              .env("ANTHROPIC_BASE_URL", api.baseUrl().toString())
              .env("MCP_TOOL_TIMEOUT", "1500")
              .print("Count very slowly.", "mcp__tandem__slow_steps", 180);
      assertEquals(0, run.exit(), run.toString());
      JsonNode result = api.toolResult();
      assertNotNull(result, run.toString());
      assertTrue(result.path("is_error").asBoolean(), result.toString());
      assertTrue(textOf(result.get("content")).contains("timed out"), result.toString());
      assertEquals(
          "cancelled",
          seenWhileRunning.get(),
          "the Python tool's own record of how its call ended");
    }
  }

  private static String lineOf(ClaudeCode.Run run, String prefix) {
    return run.stdout()
        .lines()
        .filter(l -> l.startsWith(prefix))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no " + prefix + " line in claude mcp list:\n" + run))
        .strip();
  }

  /** A tool_result's content: a string, or text blocks. */
  private static String textOf(JsonNode content) {
    if (content.isTextual()) return content.asText();
    StringBuilder s = new StringBuilder();
    content.forEach(b -> s.append(b.path("text").asText()));
    return s.toString();
  }

  private static JsonNode lastEvent(ClaudeCode.Run run) throws IOException {
    String last = run.stdout().strip().lines().reduce((a, b) -> b).orElse("{}");
    return DaemonProcess.JSON.readTree(last);
  }
}
