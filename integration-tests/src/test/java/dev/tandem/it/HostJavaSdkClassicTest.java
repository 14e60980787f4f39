package dev.tandem.it;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.client.transport.HttpClientStreamableHttpTransport;
import io.modelcontextprotocol.client.transport.ServerParameters;
import io.modelcontextprotocol.client.transport.StdioClientTransport;
import io.modelcontextprotocol.json.McpJsonDefaults;
import io.modelcontextprotocol.spec.McpClientTransport;
import io.modelcontextprotocol.spec.McpSchema;
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
 * The MCP Java SDK 2.2.0's classic (session-era) client, the one Spring AI and most JVM agents are
 * built on, as a host of the real daemon over stdio (StdioClientTransport spawning bin/tandem) and
 * over Streamable HTTP (HttpClientStreamableHttpTransport): what it negotiated, listed, called, and
 * what its progress and elicitation handlers received. Its classic client has no API to cancel a
 * call (a disposed call sends no notifications/cancelled), so cancellation is tested with its
 * 2026-07-28 client in {@link HostJavaSdkModernTest}.
 */
class HostJavaSdkClassicTest {

  static HttpDaemon daemon;
  static final Map<String, McpSyncClient> clients = new ConcurrentHashMap<>();
  static final Map<String, List<McpSchema.ProgressNotification>> progress =
      new ConcurrentHashMap<>();
  static final Map<String, List<McpSchema.ElicitFormRequest>> elicitations =
      new ConcurrentHashMap<>();
  static final List<String> serverStderr = new CopyOnWriteArrayList<>();

  @BeforeAll
  static void connect() throws Exception {
    Path config = HostFixture.config();
    daemon = HttpDaemon.serve(config).awaitReady();
    var mapper = McpJsonDefaults.getMapper();
    StdioClientTransport stdio =
        new StdioClientTransport(
            ServerParameters.builder(Tandem.BIN.toString())
                .args("serve", "--config", config.toString())
                .build(),
            mapper);
    // The SDK's stdio client stops reading the server once the server's stderr closes; tandem
    // keeps it open for its log, and this handler keeps reading it.
    stdio.setStdErrorHandler(serverStderr::add);
    clients.put("stdio", client("stdio", stdio));
    clients.put(
        "http",
        client("http", HttpClientStreamableHttpTransport.builder(daemon.mcp().toString()).build()));
  }

  private static McpSyncClient client(String name, McpClientTransport transport) {
    List<McpSchema.ProgressNotification> seen = new CopyOnWriteArrayList<>();
    List<McpSchema.ElicitFormRequest> asked = new CopyOnWriteArrayList<>();
    progress.put(name, seen);
    elicitations.put(name, asked);
    McpSyncClient c =
        McpClient.sync(transport)
            .requestTimeout(Duration.ofSeconds(60))
            .initializationTimeout(Duration.ofSeconds(60))
            .clientInfo(new McpSchema.Implementation("java-sdk-classic-" + name, "2.2.0"))
            .capabilities(McpSchema.ClientCapabilities.builder().elicitation().build())
            .progressConsumer(seen::add)
            .elicitation(
                request -> {
                  asked.add(request);
                  return new McpSchema.ElicitResult(
                      McpSchema.ElicitResult.Action.ACCEPT,
                      Map.of("answer", "blue, said the Java host"));
                })
            .build();
    c.initialize();
    return c;
  }

  @AfterAll
  static void close() {
    clients.values().forEach(McpSyncClient::closeGracefully);
    if (daemon != null) daemon.close();
  }

  @ParameterizedTest
  @ValueSource(strings = {"stdio", "http"})
  void initializeNegotiatesTheSessionEraWithTandem(String transport) {
    McpSyncClient c = clients.get(transport);
    assertEquals("2025-11-25", c.getCurrentInitializationResult().protocolVersion());
    assertEquals("tandem", c.getServerInfo().name());
    assertTrue(c.getServerCapabilities().tools() != null, c.getServerCapabilities().toString());
  }

  @ParameterizedTest
  @ValueSource(strings = {"stdio", "http"})
  void toolsAreListedWithTheirSchemas(String transport) {
    List<McpSchema.Tool> tools = clients.get(transport).listTools().tools();
    Set<String> names = new HashSet<>();
    tools.forEach(t -> names.add(t.name()));
    assertTrue(
        names.containsAll(Set.of("echo", "text_stats", "fail", "slow_steps", "ask_user")),
        names.toString());
    McpSchema.Tool stats =
        tools.stream().filter(t -> t.name().equals("text_stats")).findFirst().orElseThrow();
    assertTrue(stats.outputSchema() != null, "text_stats declares its output schema: " + stats);
  }

  @ParameterizedTest
  @ValueSource(strings = {"stdio", "http"})
  void callsCarryArgumentsAndStructuredResultsAndIsError(String transport) {
    McpSyncClient c = clients.get(transport);
    McpSchema.CallToolResult echo =
        c.callTool(new McpSchema.CallToolRequest("echo", Map.of("text", "hi", "times", 2)));
    assertEquals("hi hi", ((McpSchema.TextContent) echo.content().get(0)).text(), echo.toString());

    McpSchema.CallToolResult stats =
        c.callTool(new McpSchema.CallToolRequest("text_stats", Map.of("text", "one two\nthree")));
    assertFalse(Boolean.TRUE.equals(stats.isError()), stats.toString());
    assertEquals(
        3,
        ((Number) ((Map<?, ?>) stats.structuredContent()).get("words")).intValue(),
        stats.toString());

    McpSchema.CallToolResult fail =
        c.callTool(new McpSchema.CallToolRequest("fail", Map.of("message", "boom")));
    assertTrue(fail.isError(), fail.toString());
    assertTrue(
        ((McpSchema.TextContent) fail.content().get(0)).text().contains("boom"), fail.toString());
  }

  @ParameterizedTest
  @ValueSource(strings = {"stdio", "http"})
  void progressReachesTheClientsConsumerWithItsOwnToken(String transport) {
    String token = "java-classic-" + transport;
    McpSchema.CallToolResult result =
        clients
            .get(transport)
            .callTool(
                McpSchema.CallToolRequest.builder("slow_steps")
                    .arguments(Map.of("steps", 3))
                    .progressToken(token)
                    .build());
    assertEquals(
        "took 3 steps",
        ((McpSchema.TextContent) result.content().get(0)).text(),
        result.toString());
    // The SDK hands notifications to the consumer on its own scheduler: the last one may reach
    // the list just after the result has reached this thread, though tandem sent it first.
    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () ->
                progress.get(transport).stream()
                        .filter(p -> token.equals(p.progressToken()))
                        .count()
                    >= 3);
    List<McpSchema.ProgressNotification> mine =
        progress.get(transport).stream().filter(p -> token.equals(p.progressToken())).toList();
    assertEquals(3, mine.size(), progress.get(transport).toString());
    for (int i = 0; i < 3; i++) {
      assertEquals(i + 1, mine.get(i).progress().intValue(), mine.toString());
      assertEquals("step " + (i + 1) + " of 3", mine.get(i).message(), mine.toString());
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"stdio", "http"})
  void promptsResourcesAndTemplatesFromPython(String transport) {
    McpSyncClient c = clients.get(transport);
    assertEquals("review", c.listPrompts().prompts().get(0).name());
    McpSchema.GetPromptResult prompt =
        c.getPrompt(new McpSchema.GetPromptRequest("review", Map.of("topic", "the wire format")));
    assertEquals(
        "Please review the wire format.",
        ((McpSchema.TextContent) prompt.messages().get(0).content()).text(),
        prompt.toString());

    assertEquals("surface://notes/static", c.listResources().resources().get(0).uri());
    assertEquals(
        "surface://greeting/{name}",
        c.listResourceTemplates().resourceTemplates().get(0).uriTemplate());
    McpSchema.ReadResourceResult stat =
        c.readResource(new McpSchema.ReadResourceRequest("surface://notes/static"));
    assertEquals(
        "static notes from Python",
        ((McpSchema.TextResourceContents) stat.contents().get(0)).text(),
        stat.toString());
    McpSchema.ReadResourceResult greeting =
        c.readResource(new McpSchema.ReadResourceRequest("surface://greeting/ada"));
    assertEquals(
        "hello, ada, from a template",
        ((McpSchema.TextResourceContents) greeting.contents().get(0)).text(),
        greeting.toString());
  }

  @ParameterizedTest
  @ValueSource(strings = {"stdio", "http"})
  void elicitationRoundTripsThroughTheClientsHandler(String transport) {
    McpSchema.CallToolResult result =
        clients
            .get(transport)
            .callTool(
                new McpSchema.CallToolRequest("ask_user", Map.of("question", "which colour?")));
    assertEquals(
        "action=accept content={\"answer\": \"blue, said the Java host\"}",
        ((McpSchema.TextContent) result.content().get(0)).text(),
        result.toString());
    List<McpSchema.ElicitFormRequest> asked = elicitations.get(transport);
    assertEquals(1, asked.size(), asked.toString());
    assertEquals("which colour?", asked.get(0).message());
  }
}
