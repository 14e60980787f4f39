package dev.tandem.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * One {@code tandem serve --http} serves both MCP eras on one {@code /mcp} endpoint. The official
 * TypeScript SDK v2 client ({@code @modelcontextprotocol/client}, StreamableHTTPClientTransport)
 * runs twice AT THE SAME TIME against that one daemon: once with its default session-era connect
 * (initialize, Mcp-Session-Id) and once pinned to 2026-07-28 (server/discover, per-request _meta
 * and MCP headers, no session). Each run records every HTTP exchange (headers sent, status, session
 * id returned, the JSON-RPC messages on each response body or event stream), so the era of each
 * answer and the stream each server message came on are read off the wire.
 */
class ModernEraOverHttpTest {

  static final Path CONFIG = Tandem.HOME.resolve("examples/conformance/tandem.toml");
  static final String VERSION = "2026-07-28";
  static final String LEGACY_VERSION = "2025-11-25";
  static final String SAMPLED = "SDK2-SAMPLED-ANSWER";
  static final String USER = "SDK2-USER";
  static final List<String> SUPPORTED =
      List.of(VERSION, "2025-11-25", "2025-06-18", "2025-03-26", "2024-11-05");

  /** The four tools both runs call: two written for each era, each served in both. */
  static final List<String> INTERACTIVE =
      List.of(
          "test_sampling",
          "test_elicitation",
          "test_input_required_result_sampling",
          "test_input_required_result_elicitation");

  static final Map<String, String> HANDLER =
      Map.of(
          "test_sampling", "sampling/createMessage",
          "test_elicitation", "elicitation/create",
          "test_input_required_result_sampling", "sampling/createMessage",
          "test_input_required_result_elicitation", "elicitation/create");

  static HttpDaemon daemon;
  static JsonNode legacy;
  static JsonNode modern;

  @BeforeAll
  static void runBothErasAtOnceAgainstOneDaemon() throws Exception {
    daemon = HttpDaemon.serve(CONFIG).awaitReady();
    // Both connect at once, then start calling at the same wall-clock instant.
    long startAt = System.currentTimeMillis() + 3_000;
    Run l = Run.start("legacy", daemon, startAt);
    Run m = Run.start("modern", daemon, startAt);
    legacy = l.finish();
    modern = m.finish();
  }

  @AfterAll
  static void stop() {
    if (daemon != null) daemon.close();
  }

  // ---- one daemon, two eras, at the same time ----

  @Test
  void bothClientsRanAtTheSameTimeAgainstTheSameEndpoint() {
    for (JsonNode r : List.of(legacy, modern)) {
      assertEquals("streamable-http", r.path("transport").asText(), r.path("mode").asText());
      assertEquals(daemon.mcp().toString(), r.at("/server/url").asText());
    }
    long lStart = legacy.at("/timings/runStartedAt").asLong(),
        lEnd = legacy.at("/timings/runEndedAt").asLong();
    long mStart = modern.at("/timings/runStartedAt").asLong(),
        mEnd = modern.at("/timings/runEndedAt").asLong();
    assertTrue(
        lStart > 0 && mStart > 0 && lStart < mEnd && mStart < lEnd,
        "the two runs overlap in time: legacy "
            + lStart
            + ".."
            + lEnd
            + ", modern "
            + mStart
            + ".."
            + mEnd);
  }

  // ---- the session era: initialize, Mcp-Session-Id, no resultType ----

  @Test
  void legacyClientInitializesAndUsesItsMcpSessionIdOnEveryLaterRequest() {
    assertEquals("legacy", legacy.path("era").asText(), legacy.toString());
    assertEquals(LEGACY_VERSION, legacy.path("protocolVersion").asText());
    assertEquals("tandem", legacy.at("/serverVersion/name").asText());
    List<JsonNode> http = exchanges(legacy);
    JsonNode init = http.get(0);
    assertEquals("initialize", init.at("/sent/method").asText(), init.toString());
    assertEquals(200, init.path("status").asInt(), init.toString());
    String session = init.path("sessionId").asText("");
    assertEquals(
        43,
        session.length(),
        "the server issued a session id (256 random bits, base64url): " + init);
    assertEquals(session, legacy.path("sessionId").asText(), "the SDK kept it");
    for (JsonNode x : http.subList(1, http.size())) {
      assertEquals(
          session,
          x.at("/headers/mcp-session-id").asText(),
          "every request after initialize carries it: " + x);
      assertEquals(LEGACY_VERSION, x.at("/headers/mcp-protocol-version").asText(), x.toString());
      assertFalse(
          x.path("headers").has("mcp-method"),
          "no 2026-07-28 header on a session-era request: " + x);
      assertTrue(x.path("sessionId").isNull(), "the id is issued once, on initialize: " + x);
    }
    assertFalse(
        outgoing(legacy).contains("server/discover"),
        "the legacy connect sends no server/discover");
    JsonNode delete = http.get(http.size() - 1);
    assertEquals(
        "DELETE", delete.path("method").asText(), "the client ended its session: " + delete);
    assertEquals(200, delete.path("status").asInt(), delete.toString());
  }

  @Test
  void legacyResultsCarryNoResultType() {
    int answers = 0;
    for (JsonNode x : exchanges(legacy)) {
      for (JsonNode m : x.get("messages")) {
        assertFalse(m.has("resultType"), "a session-era result has no resultType: " + x);
        if (m.path("kind").asText().equals("response")) answers++;
      }
    }
    assertEquals(
        7,
        answers,
        "initialize, tools/list and five tools/call, each answered once, no input_required round");
    assertFalse(legacy.at("/toolsList/wireResults/0/result").has("ttlMs"));
    for (JsonNode call : legacy.get("calls")) {
      assertEquals(1, call.get("wireAnswers").size(), call.toString());
      assertFalse(call.at("/wireAnswers/0/result").has("resultType"), call.toString());
    }
  }

  @Test
  void legacyServerToClientRequestsRideOnTheResponseStreamOfTheCallThatCausedThem() {
    assertEquals(
        List.of(
            "sampling/createMessage",
            "elicitation/create",
            "sampling/createMessage",
            "elicitation/create"),
        texts(legacy.get("serverRequests"), "method"),
        "one real server→client request per interactive tool, in call order");
    assertTrue(legacy.get("clientErrors").isEmpty(), legacy.get("clientErrors").toString());
    for (String tool : INTERACTIVE) {
      List<JsonNode> http = exchangesOf(legacy, legacy.at("/calls/" + tool));
      JsonNode post =
          http.stream()
              .filter(x -> "tools/call".equals(x.at("/sent/method").asText()))
              .findFirst()
              .orElseThrow();
      assertEquals("text/event-stream", post.path("contentType").asText(), tool + ": " + post);
      JsonNode messages = post.get("messages");
      assertEquals(
          2,
          messages.size(),
          tool + ": the server's request, then the answer, on the call's own stream: " + post);
      assertEquals("request", messages.at("/0/kind").asText(), post.toString());
      assertEquals(HANDLER.get(tool), messages.at("/0/method").asText(), post.toString());
      assertEquals(post.at("/sent/id"), messages.at("/1/id"), post.toString());
      JsonNode reply =
          http.stream()
              .filter(
                  x ->
                      messages.at("/0/id").equals(x.at("/sent/id"))
                          && "response".equals(x.at("/sent/kind").asText()))
              .findFirst()
              .orElseThrow(() -> new AssertionError(tool + ": " + http));
      assertEquals(202, reply.path("status").asInt(), "the client's answer is accepted: " + reply);
    }
    List<JsonNode> gets =
        exchanges(legacy).stream().filter(x -> x.path("method").asText().equals("GET")).toList();
    assertEquals(1, gets.size(), "the SDK opens one standalone stream after initialized: " + gets);
    assertEquals(200, gets.get(0).path("status").asInt(), gets.toString());
    assertTrue(
        gets.get(0).get("messages").isEmpty(),
        "nothing was routed to the standalone stream: " + gets);
  }

  // ---- the 2026-07-28 revision: per-request _meta and headers, no session ----

  @Test
  void modernClientConnectsThroughDiscoverAndTheServerNeverIssuesASession() {
    assertEquals("modern", modern.path("era").asText(), modern.toString());
    assertEquals(VERSION, modern.path("protocolVersion").asText());
    assertEquals("tandem", modern.at("/serverVersion/name").asText());
    assertTrue(modern.path("sessionId").isNull(), modern.toString());
    assertFalse(
        outgoing(modern).contains("initialize"),
        "a pinned client never sends initialize: " + outgoing(modern));
    List<JsonNode> http = exchanges(modern);
    assertEquals(
        "server/discover",
        http.get(0).at("/sent/method").asText(),
        "the connect probes with server/discover");
    for (JsonNode x : http) {
      assertEquals(
          "POST",
          x.path("method").asText(),
          "one POST per request, no standalone stream, no DELETE: " + x);
      assertTrue(x.path("sessionId").isNull(), "no Mcp-Session-Id from the server: " + x);
      assertFalse(x.path("headers").has("mcp-session-id"), x.toString());
      assertEquals(
          x.at("/sent/method").asText(),
          x.at("/headers/mcp-method").asText(),
          "Mcp-Method mirrors the body: " + x);
      assertTrue(x.at("/headers/mcp-protocol-version").isTextual(), x.toString());
    }
    List<JsonNode> other =
        http.stream()
            .filter(x -> !VERSION.equals(x.at("/headers/mcp-protocol-version").asText()))
            .toList();
    assertEquals(
        1,
        other.size(),
        "only the deliberate unsupported-version request is not 2026-07-28: " + other);
  }

  @Test
  void modernRequestsNameTheirToolInMcpNameAndCarryMeta() {
    for (var entry : iterable(modern.get("calls").fields())) {
      for (JsonNode x : exchangesOf(modern, entry.getValue())) {
        assertEquals(entry.getKey(), x.at("/headers/mcp-name").asText(), x.toString());
      }
      for (JsonNode w : entry.getValue().get("wire")) {
        if (!w.path("dir").asText().equals("out")) continue;
        JsonNode meta = w.at("/frame/params/_meta");
        assertEquals(
            VERSION, meta.path("io.modelcontextprotocol/protocolVersion").asText(), w.toString());
        assertTrue(
            meta.path("io.modelcontextprotocol/clientCapabilities").isObject(), w.toString());
      }
    }
  }

  @Test
  void modernResultsCarryResultTypeAndInteractiveToolsAnswerInputRequiredThenComplete() {
    assertEquals(
        "complete",
        modern.at("/discover/wireResult/result/resultType").asText(),
        modern.get("discover").toString());
    assertEquals(
        SUPPORTED, texts(modern.at("/discover/wireResult/result/supportedVersions"), null));
    JsonNode list = modern.at("/toolsList/wireResults/0/result");
    assertEquals("complete", list.path("resultType").asText(), list.toString());
    assertTrue(list.path("ttlMs").asLong() > 0, list.toString());
    assertEquals(
        texts(legacy.at("/toolsList/names"), null),
        texts(modern.at("/toolsList/names"), null),
        "both eras list the same tools");

    assertEquals(List.of("complete"), resultTypes(modern, "test_simple_text"));
    for (String tool :
        List.of(
            "test_sampling",
            "test_elicitation",
            "test_input_required_result_sampling",
            "test_input_required_result_elicitation",
            "test_input_required_result_list_roots")) {
      assertEquals(
          List.of("input_required", "complete"),
          resultTypes(modern, tool),
          tool + ": one round, then the result");
      for (JsonNode x : exchangesOf(modern, modern.at("/calls/" + tool))) {
        assertEquals(200, x.path("status").asInt(), x.toString());
        assertAnsweredAlone(x);
      }
    }
    JsonNode roots = modern.at("/calls/test_input_required_result_list_roots");
    assertEquals("Found 1 root(s)", roots.at("/result/content/0/text").asText(), roots.toString());
    assertEquals("roots/list", roots.at("/handlerCalls/0/method").asText());
  }

  @Test
  void modernClientNeverReceivedAnIndependentRequestOnAnyResponseStream() {
    assertTrue(
        modern.get("serverRequests").isEmpty(),
        "no server→client request in 2026-07-28: " + modern.get("serverRequests"));
    assertTrue(
        modern.get("clientErrors").isEmpty(),
        "the v2 client saw nothing it could not handle: " + modern.get("clientErrors"));
    List<JsonNode> http = exchanges(modern);
    assertTrue(http.size() >= 25, "every request of the run went over HTTP: " + http.size());
    for (JsonNode x : http) {
      assertEquals("eof", x.path("ended").asText(), "the response was read to its end: " + x);
      JsonNode messages = x.get("messages");
      for (JsonNode m : messages)
        assertFalse(
            m.path("kind").asText().equals("request"),
            "an independent request reached the client: " + x);
      assertEquals(
          1,
          messages.size(),
          "each POST's response carries exactly its own answer, nothing else: " + x);
      assertEquals("response", messages.at("/0/kind").asText(), x.toString());
      assertEquals(x.at("/sent/id"), messages.at("/0/id"), x.toString());
    }
  }

  // ---- the same Python tools, through each client's handlers ----

  @Test
  void samplingToolsCompleteThroughEachClientsSamplingHandler() {
    assertSameInBothEras("test_sampling", "LLM response: " + SAMPLED);
    assertSameInBothEras("test_input_required_result_sampling", "Sampling result: " + SAMPLED);
    assertEquals(
        "sdk2 prompt: say something",
        modern.at("/calls/test_sampling/handlerCalls/0/params/messages/0/content/text").asText(),
        "the handler saw the tool's own prompt");
  }

  @Test
  void elicitationToolsCompleteThroughEachClientsElicitationHandler() {
    assertSameInBothEras(
        "test_elicitation",
        "User response: action=accept, content={\"response\": \"" + USER + "\"}");
    assertSameInBothEras("test_input_required_result_elicitation", "Hello, " + USER + "!");
    assertEquals(
        "What is your name?",
        modern
            .at("/calls/test_input_required_result_elicitation/handlerCalls/0/params/message")
            .asText());
  }

  @Test
  void simpleToolAnswersTheSameTextInBothEras() {
    for (JsonNode r : List.of(legacy, modern)) {
      assertEquals(
          "This is a simple text response for testing.",
          r.at("/calls/test_simple_text/result/content/0/text").asText(),
          r.path("mode").asText());
      assertTrue(r.at("/calls/test_simple_text/handlerCalls").isEmpty());
    }
  }

  // ---- requestState is attacker-controlled input, over HTTP too ----

  @Test
  void forgedRequestStateIsRefusedWithInvalidParams() {
    assertRefused(
        "forged", "requestState is malformed; send back the exact requestState tandem returned");
    assertRefused(
        "forgedSigned",
        "requestState failed its integrity check: it was altered, or issued by another tandem"
            + " replica (this one has a per-process key: give every replica the same"
            + " TANDEM_STATE_KEY or [http] state_key_file)");
  }

  @Test
  void tamperedOrMisplacedRequestStateIsRefusedAndTheGenuineOneStillResumes() {
    assertRefused(
        "tampered",
        "requestState failed its integrity check: it was altered, or issued by another tandem"
            + " replica (this one has a per-process key: give every replica the same"
            + " TANDEM_STATE_KEY or [http] state_key_file)");
    assertRefused(
        "misplaced",
        "requestState belongs to a different request: retry the same method with the same name and arguments");
    JsonNode genuine = refusal("genuineAfterRefusals");
    assertEquals(
        "Hello, " + USER + "!", genuine.at("/result/content/0/text").asText(), genuine.toString());
    assertEquals(
        "complete",
        exchangesOf(modern, genuine).get(0).at("/messages/0/resultType").asText(),
        genuine.toString());
  }

  @Test
  void consumedRequestStateCannotBeReplayed() {
    assertRefused(
        "replayedAfterCompletion",
        "requestState refers to a call that has already finished or expired; start the request again without it");
    JsonNode multi = refusal("multiRound");
    assertTrue(multi.path("statesDiffer").asBoolean(), "each round has its own state");
    JsonNode replay = multi.get("replayedRound1");
    assertEquals(-32602, replay.at("/error/code").asInt(), multi.toString());
    assertEquals(
        "requestState was already used; send the requestState of the latest input_required result",
        replay.at("/error/message").asText(),
        replay.toString());
    assertEquals(200, exchangesOf(modern, replay).get(0).path("status").asInt(), replay.toString());
    assertEquals(
        "Multi-round complete for " + USER + " who likes sdk2-blue",
        multi.at("/round3/result/content/0/text").asText(),
        "the replay did not disturb the call: " + multi);
  }

  // ---- an unsupported version: HTTP 400, -32022, data.supported ----

  @Test
  void unsupportedVersionFromTheSdkClientGetsHttp400With32022() {
    JsonNode r = refusal("unsupportedVersion");
    JsonNode error = r.get("error");
    assertEquals(-32022, error.path("code").asInt(), error.toString());
    assertEquals(SUPPORTED, texts(error.at("/data/supported"), null), error.toString());
    assertEquals("2099-01-01", error.at("/data/requested").asText(), error.toString());
    List<JsonNode> http = exchangesOf(modern, r);
    assertEquals(1, http.size(), http.toString());
    JsonNode x = http.get(0);
    assertEquals("2099-01-01", x.at("/headers/mcp-protocol-version").asText(), x.toString());
    assertEquals(400, x.path("status").asInt(), x.toString());
    assertEquals(-32022, x.at("/messages/0/error/code").asInt(), x.toString());
    assertTrue(x.path("sessionId").isNull(), x.toString());
  }

  @Test
  void unsupportedVersionOnARawPostGetsHttp400With32022ListingTheSupportedOnes() throws Exception {
    McpHttpClient raw = daemon.client();
    for (String method : List.of("server/discover", "tools/list", "tools/call")) {
      ObjectNode params = modernParams("2099-01-01");
      if (method.equals("tools/call"))
        params.put("name", "test_simple_text").putObject("arguments");
      HttpResponse<String> r =
          raw.post(
              DaemonProcess.JSON.writeValueAsString(
                  McpHttpClient.request("v-" + method, method, params)),
              modernHeaders(
                  "2099-01-01", method, method.equals("tools/call") ? "test_simple_text" : null));
      assertEquals(400, r.statusCode(), method + ": " + r.body());
      assertFalse(r.headers().firstValue("Mcp-Session-Id").isPresent(), method + ": no session");
      JsonNode e = McpHttpClient.error(r);
      assertEquals("v-" + method, e.path("id").asText(), e.toString());
      assertEquals(-32022, e.at("/error/code").asInt(), e.toString());
      assertEquals(SUPPORTED, texts(e.at("/error/data/supported"), null), e.toString());
      assertEquals("2099-01-01", e.at("/error/data/requested").asText(), e.toString());
    }
    HttpResponse<String> ok =
        raw.post(
            DaemonProcess.JSON.writeValueAsString(
                McpHttpClient.request("ok", "server/discover", modernParams(VERSION))),
            modernHeaders(VERSION, "server/discover", null));
    assertEquals(200, ok.statusCode(), ok.body());
    assertEquals(
        "complete",
        McpHttpClient.messages(ok).get(0).at("/result/resultType").asText(),
        "the endpoint is still fine: " + ok.body());
  }

  // ---- helpers ----

  private static void assertSameInBothEras(String tool, String text) {
    for (JsonNode report : List.of(legacy, modern)) {
      String era = report.path("mode").asText();
      JsonNode call = report.at("/calls/" + tool);
      assertEquals(
          text, call.at("/result/content/0/text").asText(), era + " " + tool + ": " + call);
      assertFalse(call.at("/result/isError").asBoolean(false), call.toString());
      assertEquals(
          1,
          call.get("handlerCalls").size(),
          era + " " + tool + " asks the client once: " + call.get("handlerCalls"));
      assertEquals(HANDLER.get(tool), call.at("/handlerCalls/0/method").asText());
    }
    assertEquals(
        legacy.at("/calls/" + tool + "/handlerCalls/0/params"),
        modern.at("/calls/" + tool + "/handlerCalls/0/params"),
        tool + ": the handler is asked the same question in both eras");
  }

  private static JsonNode refusal(String name) {
    JsonNode r = modern.at("/refusals/" + name);
    assertFalse(r.isMissingNode(), "no " + name + " in " + modern.get("refusals"));
    return r;
  }

  /**
   * Refused with -32602 and exactly {@code message}, as a JSON-RPC error in an HTTP 200 JSON body.
   */
  private static void assertRefused(String name, String message) {
    JsonNode r = refusal(name);
    JsonNode error = r.get("error");
    assertTrue(error != null && !r.has("result"), name + " must be refused: " + r);
    assertEquals(-32602, error.path("code").asInt(), name + ": " + error);
    assertEquals(message, error.path("message").asText(), name + ": " + error);
    assertTrue(r.get("handlerCalls").isEmpty(), name + " asked nothing of the client");
    List<JsonNode> http = exchangesOf(modern, r);
    assertEquals(1, http.size(), name + ": one request, no retry: " + http);
    JsonNode x = http.get(0);
    assertEquals(
        200, x.path("status").asInt(), name + ": invalid params is not an HTTP failure: " + x);
    assertEquals(-32602, x.at("/messages/0/error/code").asInt(), x.toString());
    assertEquals(message, x.at("/messages/0/error/message").asText(), x.toString());
  }

  /** The resultType of each answer, in order, to the requests a modern call made. */
  private static List<String> resultTypes(JsonNode report, String tool) {
    List<String> out = new ArrayList<>();
    for (JsonNode x : exchangesOf(report, report.at("/calls/" + tool))) {
      for (JsonNode m : x.get("messages")) out.add(m.path("resultType").asText("(none)"));
    }
    return out;
  }

  private static List<JsonNode> exchanges(JsonNode report) {
    JsonNode http = report.get("http");
    assertNotNull(http, "no HTTP record in the report");
    return StreamSupport.stream(http.spliterator(), false).toList();
  }

  /** The HTTP exchanges one observed step caused. */
  private static List<JsonNode> exchangesOf(JsonNode report, JsonNode observed) {
    JsonNode indexes = observed.get("http");
    assertNotNull(indexes, "no HTTP indexes in " + observed);
    List<JsonNode> out = new ArrayList<>();
    indexes.forEach(i -> out.add(report.get("http").get(i.asInt())));
    return out;
  }

  private static List<String> outgoing(JsonNode report) {
    return texts(report.get("sentMethods"), null);
  }

  private static List<String> texts(JsonNode array, String field) {
    if (array == null || !array.isArray()) return List.of();
    return StreamSupport.stream(array.spliterator(), false)
        .map(n -> field == null ? n.asText() : n.path(field).asText())
        .toList();
  }

  private static <T> Iterable<T> iterable(java.util.Iterator<T> it) {
    return () -> it;
  }

  private static ObjectNode modernParams(String version) {
    ObjectNode params = DaemonProcess.JSON.createObjectNode();
    ObjectNode meta = params.putObject("_meta");
    meta.put("io.modelcontextprotocol/protocolVersion", version);
    meta.putObject("io.modelcontextprotocol/clientInfo")
        .put("name", "it-modern-http")
        .put("version", "0");
    meta.putObject("io.modelcontextprotocol/clientCapabilities");
    return params;
  }

  private static Map<String, String> modernHeaders(String version, String method, String name) {
    return name == null
        ? Map.of("MCP-Protocol-Version", version, "Mcp-Method", method)
        : Map.of("MCP-Protocol-Version", version, "Mcp-Method", method, "Mcp-Name", name);
  }

  /** One sdk2-check.mjs process against the daemon's URL; its report read when it has finished. */
  private record Run(String mode, Process process, Path out, Path err) {

    static Run start(String mode, HttpDaemon daemon, long startAt) throws IOException {
      Path dir = Tandem.NODE_DIR;
      if (!Files.isDirectory(dir.resolve("node_modules/@modelcontextprotocol/client"))) {
        throw new IllegalStateException(
            "npm packages are not installed: run 'make node-deps' (make test does)");
      }
      List<String> argv =
          List.of(
              "node",
              dir.resolve("sdk2-check.mjs").toString(),
              "--mode",
              mode,
              "--start-at",
              Long.toString(startAt),
              "--url",
              daemon.mcp().toString());
      Path out = Files.createTempFile("sdk2-http-" + mode, ".json");
      Path err = Files.createTempFile("sdk2-http-" + mode + "-stderr", ".log");
      Process p =
          new ProcessBuilder(argv)
              .directory(dir.toFile())
              .redirectOutput(out.toFile())
              .redirectError(err.toFile())
              .start();
      p.getOutputStream().close();
      return new Run(mode, p, out, err);
    }

    JsonNode finish() throws IOException, InterruptedException {
      if (!process.waitFor(180, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new AssertionError(
            "sdk2-check --mode "
                + mode
                + " --url did not finish; stderr:\n"
                + tail(Files.readString(err)));
      }
      String stdout = Files.readString(out).trim();
      if (process.exitValue() != 0) {
        throw new AssertionError(
            "sdk2-check --mode "
                + mode
                + " --url exited "
                + process.exitValue()
                + "; stdout:\n"
                + tail(stdout)
                + "\nstderr:\n"
                + tail(Files.readString(err)));
      }
      JsonNode report =
          DaemonProcess.JSON.readTree(stdout.lines().reduce((a, b) -> b).orElse("{}"));
      if (report.has("error"))
        throw new AssertionError(
            "sdk2-check --mode " + mode + " --url reported " + report.get("error"));
      return report;
    }

    private static String tail(String s) {
      return s.length() <= 8000 ? s : s.substring(s.length() - 8000);
    }
  }

  /**
   * A round's answer comes alone: as JSON, or (when it took longer than the daemon waits before
   * opening a stream, which a loaded machine can make the first round do) as a stream that carries
   * only that answer (and perhaps notifications), never a request of the server's.
   */
  private static void assertAnsweredAlone(JsonNode x) {
    String type = x.path("contentType").asText();
    if (type.startsWith("application/json")) return;
    assertTrue(type.startsWith("text/event-stream"), x.toString());
    List<JsonNode> answers = new ArrayList<>();
    for (JsonNode m : x.path("messages")) {
      assertNotEquals("request", m.path("kind").asText(), "no request of the server's: " + x);
      if (m.path("kind").asText().equals("response")) answers.add(m);
    }
    assertEquals(1, answers.size(), x.toString());
    assertEquals(x.at("/sent/id"), answers.get(0).path("id"), x.toString());
  }
}
