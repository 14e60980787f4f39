package dev.tandem.it;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.modelcontextprotocol.client.transport.ServerParameters;
import io.modelcontextprotocol.modern.McpSchema;
import io.modelcontextprotocol.modern.client.McpClient;
import io.modelcontextprotocol.modern.client.McpSyncClient;
import io.modelcontextprotocol.modern.client.McpTimeoutException;
import io.modelcontextprotocol.modern.client.transport.HttpClientMcpTransport;
import io.modelcontextprotocol.modern.client.transport.StdioMcpClientTransport;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The MCP Java SDK 2.2.0's 2026-07-28 client ({@code io.modelcontextprotocol.modern.client}) as a
 * host of the real daemon over stdio and Streamable HTTP: discover, lists, calls, progress, an
 * elicitation answered through input_required and the retry, and cancellation by its call timeout,
 * which the Python tool observes (it writes "cancelled" to a marker file).
 */
class HostJavaSdkModernTest {

  static HttpDaemon daemon;
  static StdioMcpClientTransport stdio;
  static final Map<String, McpSyncClient> clients = new ConcurrentHashMap<>();
  static final List<String> serverStderr = new CopyOnWriteArrayList<>();

  @BeforeAll
  static void connect() throws Exception {
    Path config = HostFixture.config();
    daemon = HttpDaemon.serve(config).awaitReady();
    stdio =
        StdioMcpClientTransport.builder(
                ServerParameters.builder(Tandem.BIN.toString())
                    .args("serve", "--config", config.toString())
                    .build())
            .stderrConsumer(serverStderr::add)
            .start();
    clients.put("stdio", client(stdio));
    clients.put("http", client(HttpClientMcpTransport.builder(daemon.mcp()).build()));
  }

  private static McpSyncClient client(
      io.modelcontextprotocol.modern.client.transport.McpClientTransport transport) {
    return McpClient.sync(transport).callTimeout(Duration.ofSeconds(60)).build();
  }

  @AfterAll
  static void close() {
    if (stdio != null) stdio.close();
    if (daemon != null) daemon.close();
  }

  @ParameterizedTest
  @ValueSource(strings = {"stdio", "http"})
  void discoverNamesTheRevisionAndTheCapabilities(String transport) {
    McpSchema.DiscoverResult discovered = clients.get(transport).discover();
    assertTrue(discovered.supportedVersions().contains("2026-07-28"), discovered.toString());
    assertTrue(discovered.capabilities().tools() != null, discovered.toString());
  }

  @ParameterizedTest
  @ValueSource(strings = {"stdio", "http"})
  void toolsAreListedAndCalledWithStructuredResultsAndIsError(String transport) {
    McpSyncClient c = clients.get(transport);
    Set<String> names = new HashSet<>();
    c.tools().list().tools().forEach(t -> names.add(t.name()));
    assertTrue(
        names.containsAll(Set.of("echo", "text_stats", "fail", "slow_steps", "ask_user")),
        names.toString());

    McpSchema.CallToolResult echo =
        c.tool("echo").arguments(Map.of("text", "hi", "times", 2)).call();
    assertEquals("hi hi", ((McpSchema.TextContent) echo.content().get(0)).text(), echo.toString());
    McpSchema.CallToolResult stats =
        c.tool("text_stats").arguments(Map.of("text", "one two\nthree")).call();
    assertEquals(
        3,
        ((Number) ((Map<?, ?>) stats.structuredContent()).get("words")).intValue(),
        stats.toString());
    McpSchema.CallToolResult fail = c.tool("fail").arguments(Map.of("message", "boom")).call();
    assertTrue(fail.isError(), fail.toString());
  }

  @ParameterizedTest
  @ValueSource(strings = {"stdio", "http"})
  void progressReachesTheCallsConsumer(String transport) {
    List<McpSchema.ProgressParams> seen = new CopyOnWriteArrayList<>();
    McpSchema.CallToolResult result =
        clients
            .get(transport)
            .tool("slow_steps")
            .arguments(Map.of("steps", 3))
            .progress(seen::add)
            .call();
    assertEquals(
        "took 3 steps",
        ((McpSchema.TextContent) result.content().get(0)).text(),
        result.toString());
    assertEquals(3, seen.size(), seen.toString());
    for (int i = 0; i < 3; i++)
      assertEquals("step " + (i + 1) + " of 3", seen.get(i).message(), seen.toString());
  }

  @ParameterizedTest
  @ValueSource(strings = {"stdio", "http"})
  void promptsResourcesAndTemplates(String transport) {
    McpSyncClient c = clients.get(transport);
    assertEquals("review", c.prompts().list().prompts().get(0).name());
    McpSchema.GetPromptResult prompt =
        c.prompt("review").arguments(Map.of("topic", "the wire format")).get();
    assertEquals(
        "Please review the wire format.",
        ((McpSchema.TextContent) prompt.messages().get(0).content()).text(),
        prompt.toString());
    assertEquals(
        "surface://greeting/{name}",
        c.resourceTemplates().list().resourceTemplates().get(0).uriTemplate());
    McpSchema.ReadResourceResult greeting = c.resource("surface://greeting/ada").read();
    assertEquals(
        "hello, ada, from a template",
        ((McpSchema.TextResourceContents) greeting.contents().get(0)).text(),
        greeting.toString());
  }

  @ParameterizedTest
  @ValueSource(strings = {"stdio", "http"})
  void elicitationRoundTripsThroughInputRequiredAndTheRetry(String transport) {
    List<McpSchema.ElicitFormRequest> asked = new CopyOnWriteArrayList<>();
    McpSchema.CallToolResult result =
        clients
            .get(transport)
            .tool("ask_user")
            .arguments(Map.of("question", "which colour?"))
            .formElicitation(
                request -> {
                  asked.add(request);
                  return McpSchema.ElicitResult.accept(
                      Map.of("answer", "green, said the modern Java host"));
                })
            .call();
    assertEquals(1, asked.size(), asked.toString());
    assertEquals("which colour?", asked.get(0).message());
    assertEquals(
        "action=accept content={\"answer\": \"green, said the modern Java host\"}",
        ((McpSchema.TextContent) result.content().get(0)).text(),
        result.toString());
  }

  @ParameterizedTest
  @ValueSource(strings = {"stdio", "http"})
  void theCallTimeoutCancelsAndThePythonToolSeesIt(String transport) throws Exception {
    Path marker = HostFixture.marker();
    McpTimeoutException timedOut =
        assertThrows(
            McpTimeoutException.class,
            () ->
                clients
                    .get(transport)
                    .tool("slow_steps")
                    .arguments(Map.of("steps", 100, "marker", marker.toString()))
                    .callTimeout(Duration.ofSeconds(1))
                    .call());
    assertEquals("tools/call", timedOut.method(), timedOut.toString());
    // 100 steps take 10 s: "cancelled" long before that is the tool stopped by the host's cancel.
    await("slow_steps writes its marker when cancelled")
        .atMost(Duration.ofSeconds(8))
        .until(() -> Files.exists(marker) && !Files.readString(marker).isEmpty());
    assertEquals("cancelled", Files.readString(marker));
    assertFalse(daemon.stderrText().contains("Exception"), daemon.stderrText());
  }
}
