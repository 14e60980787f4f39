package dev.tandem.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * tandem serves the session era (initialize) and the stateless 2026-07-28 revision on one stdio
 * pipe. The official TypeScript SDK v2 client ({@code @modelcontextprotocol/client}, which nobody
 * here wrote) drives it once per era, with sampling, elicitation and roots handlers that answer
 * fixed text; raw frames then prove both eras interleave on ONE pipe and that an unsupported
 * per-request version is refused as the versioning page says.
 */
class ModernEraOverStdioTest {

  static final Path CONFIG = Tandem.HOME.resolve("examples/conformance/tandem.toml");
  static final String VERSION = "2026-07-28";
  static final String SAMPLED = "SDK2-SAMPLED-ANSWER";
  static final String USER = "SDK2-USER";
  static final Duration FRAME_DEADLINE = Duration.ofSeconds(30);

  /** The four tools both runs call: two written for each era, each served in both. */
  static final List<String> INTERACTIVE =
      List.of(
          "test_sampling",
          "test_elicitation",
          "test_input_required_result_sampling",
          "test_input_required_result_elicitation");

  static JsonNode legacy;
  static JsonNode modern;

  @BeforeAll
  static void runTheV2ClientInEachEra() throws Exception {
    legacy = sdk2("legacy");
    modern = sdk2("modern");
  }

  // ---- the session era, through the v2 client's default (legacy) connect ----

  @Test
  void legacyClientNegotiatesTheSessionEraThroughInitialize() {
    assertEquals("legacy", legacy.path("era").asText(), legacy.toString());
    assertEquals("2025-11-25", legacy.path("protocolVersion").asText());
    assertEquals("tandem", legacy.at("/serverVersion/name").asText());
    assertTrue(outgoing(legacy).contains("initialize"), "the legacy connect sends initialize");
    assertFalse(outgoing(legacy).contains("server/discover"), "and no server/discover");
  }

  @Test
  void legacyResultsCarryNoResultType() {
    int answers = 0;
    for (JsonNode call : legacy.get("calls")) {
      for (JsonNode a : call.get("wireAnswers")) {
        assertTrue(a.has("result"), a.toString());
        assertFalse(
            a.get("result").has("resultType"), "a session-era result has no resultType: " + a);
        answers++;
      }
    }
    assertEquals(
        5, answers, "one answer per call, no input_required round: " + legacy.get("calls"));
    assertFalse(legacy.at("/toolsList/wireResults/0/result").has("resultType"));
    assertFalse(legacy.at("/toolsList/wireResults/0/result").has("ttlMs"));
  }

  @Test
  void legacyHostIsAskedThroughServerToClientRequests() {
    List<String> asked = texts(legacy.get("serverRequests"), "method");
    assertEquals(
        List.of(
            "sampling/createMessage",
            "elicitation/create",
            "sampling/createMessage",
            "elicitation/create"),
        asked,
        "tandem sends real server→client requests, one per interactive tool, in call order");
    assertTrue(legacy.get("clientErrors").isEmpty(), legacy.get("clientErrors").toString());
  }

  // ---- the 2026-07-28 revision, through the v2 client pinned to it ----

  @Test
  void modernClientPinnedTo20260728ConnectsThroughDiscoverWithoutInitialize() {
    assertEquals("modern", modern.path("era").asText(), modern.toString());
    assertEquals(VERSION, modern.path("protocolVersion").asText());
    assertEquals("tandem", modern.at("/serverVersion/name").asText());
    assertTrue(
        texts(modern.at("/connectDiscover/supportedVersions"), null).contains(VERSION),
        modern.get("connectDiscover").toString());
    assertFalse(
        outgoing(modern).contains("initialize"),
        "a pinned client never sends initialize: " + outgoing(modern));
    for (JsonNode w : modern.at("/calls/test_simple_text/wire")) {
      if (w.path("dir").asText().equals("out")) {
        JsonNode meta = w.at("/frame/params/_meta");
        assertEquals(
            VERSION, meta.path("io.modelcontextprotocol/protocolVersion").asText(), w.toString());
        assertTrue(
            meta.path("io.modelcontextprotocol/clientCapabilities").isObject(), w.toString());
      }
    }
  }

  @Test
  void serverDiscoverAnswersVersionsCapabilitiesAndIdentity() {
    JsonNode result = modern.at("/discover/wireResult/result");
    assertEquals("complete", result.path("resultType").asText(), result.toString());
    // 2026-07-28 first, then the session-era versions served through initialize.
    assertEquals(
        List.of(VERSION, "2025-11-25", "2025-06-18", "2025-03-26", "2024-11-05"),
        texts(result.get("supportedVersions"), null));
    assertTrue(result.at("/capabilities/tools").isObject(), result.toString());
    assertEquals(
        "tandem",
        result.at("/_meta/io.modelcontextprotocol~1serverInfo/name").asText(),
        result.toString());
    assertTrue(result.path("ttlMs").isNumber(), "discover is cacheable: " + result);
    assertTrue(result.path("cacheScope").isTextual(), result.toString());
  }

  @Test
  void modernToolsListCarriesResultTypeTtlAndCacheScope() {
    JsonNode wire = modern.at("/toolsList/wireResults");
    assertEquals(1, wire.size(), "one page: " + wire);
    JsonNode result = wire.get(0).get("result");
    assertEquals("complete", result.path("resultType").asText(), result.toString());
    assertTrue(
        result.path("ttlMs").isIntegralNumber() && result.get("ttlMs").asLong() > 0,
        result.toString());
    assertTrue(
        Set.of("public", "private").contains(result.path("cacheScope").asText()),
        result.toString());
    assertEquals(
        texts(legacy.at("/toolsList/names"), null),
        texts(modern.at("/toolsList/names"), null),
        "both eras list the same tools");
  }

  @Test
  void modernCallResultsCarryResultTypeComplete() {
    JsonNode answers = modern.at("/calls/test_simple_text/wireAnswers");
    assertEquals(1, answers.size(), answers.toString());
    assertEquals("complete", answers.get(0).at("/result/resultType").asText(), answers.toString());
    assertEquals(
        "This is a simple text response for testing.",
        answers.get(0).at("/result/content/0/text").asText());
    assertEquals(
        "tandem",
        answers.get(0).at("/result/_meta/io.modelcontextprotocol~1serverInfo/name").asText());
  }

  @Test
  void modernToolsAskThroughInputRequiredAndTheClientRetriesWithTheEchoedState() {
    assertTrue(
        modern.get("serverRequests").isEmpty(),
        "no server→client request in 2026-07-28: " + modern.get("serverRequests"));
    assertTrue(
        modern.get("clientErrors").isEmpty(),
        "the v2 client saw nothing it could not handle: " + modern.get("clientErrors"));
    Map<String, String> expectedKey =
        Map.of(
            "test_input_required_result_sampling", "sample_request",
            "test_input_required_result_elicitation", "user_name");
    Map<String, String> expectedMethod =
        Map.of(
            "test_sampling", "sampling/createMessage",
            "test_elicitation", "elicitation/create",
            "test_input_required_result_sampling", "sampling/createMessage",
            "test_input_required_result_elicitation", "elicitation/create");
    for (String tool : INTERACTIVE) {
      JsonNode call = modern.at("/calls/" + tool);
      JsonNode answers = call.get("wireAnswers");
      assertEquals(2, answers.size(), tool + ": input_required, then the result: " + answers);
      JsonNode first = answers.get(0).get("result");
      assertEquals("input_required", first.path("resultType").asText(), first.toString());
      assertEquals(1, first.get("inputRequests").size(), first.toString());
      String key = first.get("inputRequests").fieldNames().next();
      if (expectedKey.containsKey(tool))
        assertEquals(expectedKey.get(tool), key, "key= in Python names the question");
      assertEquals(
          expectedMethod.get(tool),
          first.at("/inputRequests/" + key + "/method").asText(),
          first.toString());
      String state = first.get("requestState").asText();
      assertFalse(state.isEmpty());
      assertEquals(
          "complete", answers.get(1).at("/result/resultType").asText(), answers.toString());

      List<JsonNode> requests = new ArrayList<>();
      call.get("wire")
          .forEach(
              w -> {
                if (w.path("dir").asText().equals("out")
                    && "tools/call".equals(w.at("/frame/method").asText()))
                  requests.add(w.get("frame"));
              });
      assertEquals(2, requests.size(), tool + ": the call and one retry: " + requests);
      JsonNode retry = requests.get(1);
      assertNotEquals(requests.get(0).get("id"), retry.get("id"), "the retry is a new request");
      assertEquals(
          state, retry.at("/params/requestState").asText(), "the state is echoed byte for byte");
      assertTrue(retry.at("/params/inputResponses/" + key).isObject(), retry.toString());
    }
  }

  @Test
  void samplingToolsCompleteThroughTheClientsSamplingHandlerInBothEras() {
    assertSameInBothEras("test_sampling", "LLM response: " + SAMPLED, "sampling/createMessage");
    assertSameInBothEras(
        "test_input_required_result_sampling",
        "Sampling result: " + SAMPLED,
        "sampling/createMessage");
    assertEquals(
        "sdk2 prompt: say something",
        modern.at("/calls/test_sampling/handlerCalls/0/params/messages/0/content/text").asText(),
        "the handler saw the tool's own prompt");
  }

  @Test
  void elicitationToolsCompleteThroughTheClientsElicitationHandlerInBothEras() {
    assertSameInBothEras(
        "test_elicitation",
        "User response: action=accept, content={\"response\": \"" + USER + "\"}",
        "elicitation/create");
    assertSameInBothEras(
        "test_input_required_result_elicitation", "Hello, " + USER + "!", "elicitation/create");
    assertEquals(
        "What is your name?",
        modern
            .at("/calls/test_input_required_result_elicitation/handlerCalls/0/params/message")
            .asText());
  }

  @Test
  void rootsToolCompletesThroughTheClientsRootsHandler() {
    JsonNode call = modern.at("/calls/test_input_required_result_list_roots");
    assertEquals("Found 1 root(s)", call.at("/result/content/0/text").asText(), call.toString());
    assertEquals("roots/list", call.at("/handlerCalls/0/method").asText());
    assertEquals(
        "roots_request", call.at("/wireAnswers/0/result/inputRequests").fieldNames().next());
  }

  // ---- requestState is attacker-controlled input ----

  @Test
  void forgedRequestStateIsRefusedWithInvalidParams() {
    assertRefused("forged", "malformed");
    assertRefused("forgedSigned", "integrity");
  }

  @Test
  void tamperedRequestStateIsRefusedAndTheGenuineOneStillResumes() {
    assertRefused("tampered", "integrity");
    assertRefused("misplaced", "different request");
    JsonNode genuine = refusal("genuineAfterRefusals");
    assertEquals(
        "Hello, " + USER + "!", genuine.at("/result/content/0/text").asText(), genuine.toString());
    assertEquals(
        "complete", genuine.at("/wire/1/frame/result/resultType").asText(), genuine.toString());
  }

  @Test
  void consumedRequestStateCannotBeReplayed() {
    assertRefused("replayedAfterCompletion", "already finished");
    JsonNode multi = refusal("multiRound");
    assertTrue(multi.path("statesDiffer").asBoolean(), "each round has its own state");
    JsonNode replay = multi.at("/replayedRound1/error");
    assertEquals(-32602, replay.path("code").asInt(), multi.toString());
    assertTrue(replay.path("message").asText().contains("already used"), replay.toString());
    assertEquals(
        "Multi-round complete for " + USER + " who likes sdk2-blue",
        multi.at("/round3/result/content/0/text").asText(),
        "the replay did not disturb the call: " + multi);
  }

  @Test
  void unsupportedVersionFromTheClientIsRefusedWith32022ListingTheSupportedOnes() {
    JsonNode error = refusal("unsupportedVersion").get("error");
    assertEquals(-32022, error.path("code").asInt(), error.toString());
    assertTrue(texts(error.at("/data/supported"), null).contains(VERSION), error.toString());
    assertEquals("2099-01-01", error.at("/data/requested").asText(), error.toString());
  }

  // ---- raw frames on one pipe ----

  @Test
  void unsupportedVersionOnTheRawPipeIsRefusedWith32022() throws Exception {
    try (DaemonProcess daemon = DaemonProcess.serve(CONFIG)) {
      for (String method : List.of("server/discover", "tools/list", "tools/call")) {
        ObjectNode params = modernParams("2099-01-01");
        if (method.equals("tools/call"))
          params.put("name", "test_simple_text").putObject("arguments");
        JsonNode e = daemon.request("v-" + method, method, params);
        assertEquals(-32022, e.at("/error/code").asInt(), e.toString());
        assertTrue(texts(e.at("/error/data/supported"), null).contains(VERSION), e.toString());
        assertEquals("2099-01-01", e.at("/error/data/requested").asText(), e.toString());
      }
      JsonNode ok = daemon.request("ok", "server/discover", modernParams(VERSION));
      assertEquals(
          "complete", ok.at("/result/resultType").asText(), "the pipe is still fine: " + ok);
    }
  }

  @Test
  void bothErasInterleaveOnOnePipeEachAnsweredInItsOwnEra() throws Exception {
    try (DaemonProcess daemon = DaemonProcess.serve(CONFIG)) {
      // A 2026-07-28 request needs no handshake, even before a session-era client initializes.
      JsonNode early =
          daemon.request(
              "m-early", "tools/call", callParams(modernParams(VERSION), "test_simple_text"));
      assertEquals("complete", early.at("/result/resultType").asText(), early.toString());

      ObjectNode init = DaemonProcess.JSON.createObjectNode().put("protocolVersion", "2025-11-25");
      init.putObject("capabilities").putObject("sampling");
      init.putObject("clientInfo").put("name", "it-legacy").put("version", "0");
      JsonNode initialized = daemon.request("init", "initialize", init);
      assertEquals(
          "2025-11-25", initialized.at("/result/protocolVersion").asText(), initialized.toString());
      daemon.send(
          DaemonProcess.JSON
              .createObjectNode()
              .put("jsonrpc", "2.0")
              .put("method", "notifications/initialized"));

      // One burst, eras alternating, nothing awaited: the same pool serves them all at once.
      int n = 10;
      Set<String> pending = new LinkedHashSet<>();
      for (int i = 0; i < n; i++) {
        send(
            daemon,
            "l-" + i,
            "tools/call",
            callParams(DaemonProcess.JSON.createObjectNode(), "test_simple_text"),
            pending);
        send(
            daemon,
            "m-" + i,
            "tools/call",
            callParams(modernParams(VERSION), "test_simple_text"),
            pending);
      }
      ObjectNode legacySampling =
          callParams(DaemonProcess.JSON.createObjectNode(), "test_sampling");
      ((ObjectNode) legacySampling.get("arguments")).put("prompt", "legacy on the shared pipe");
      send(daemon, "l-sample", "tools/call", legacySampling, pending);
      ObjectNode modernSampling =
          callParams(modernParams(VERSION), "test_input_required_result_sampling");
      send(daemon, "m-sample", "tools/call", modernSampling, pending);

      Map<String, JsonNode> answers = new HashMap<>();
      List<JsonNode> serverRequests = new ArrayList<>();
      long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (!pending.isEmpty()) {
        assertTrue(
            System.nanoTime() < until,
            "still waiting for " + pending + "; got " + answers.keySet());
        JsonNode frame = daemon.next(FRAME_DEADLINE);
        if (frame.has("method") && frame.has("id")) {
          // A server→client request: only the session-era call may cause one.
          serverRequests.add(frame);
          ObjectNode result =
              DaemonProcess.JSON
                  .createObjectNode()
                  .put("model", "java-model")
                  .put("role", "assistant");
          result.putObject("content").put("type", "text").put("text", "JAVA-SAMPLED");
          daemon.send(response(frame.get("id"), result));
          continue;
        }
        if (!frame.has("id") || frame.has("method")) continue; // notifications
        String id = frame.get("id").asText();
        assertTrue(pending.remove(id), "an answer to a request we sent, once: " + frame);
        answers.put(id, frame);
        if (id.equals("m-sample")) {
          JsonNode r = frame.get("result");
          assertEquals("input_required", r.path("resultType").asText(), frame.toString());
          ObjectNode retry = modernSampling.deepCopy();
          ObjectNode sampled =
              retry
                  .putObject("inputResponses")
                  .putObject("sample_request")
                  .put("model", "java-model")
                  .put("role", "assistant");
          sampled.putObject("content").put("type", "text").put("text", "JAVA-SAMPLED");
          retry.put("requestState", r.get("requestState").asText());
          send(daemon, "m-sample-retry", "tools/call", retry, pending);
        }
      }

      for (int i = 0; i < n; i++) {
        JsonNode l = answers.get("l-" + i).get("result");
        JsonNode m = answers.get("m-" + i).get("result");
        assertFalse(l.has("resultType"), "session-era answer: " + l);
        assertEquals("complete", m.path("resultType").asText(), "2026-07-28 answer: " + m);
        assertEquals(l.at("/content/0/text").asText(), m.at("/content/0/text").asText());
      }
      assertEquals(
          1,
          serverRequests.size(),
          "one server→client request, for the session-era call: " + serverRequests);
      assertEquals("sampling/createMessage", serverRequests.get(0).get("method").asText());
      assertEquals(
          "legacy on the shared pipe",
          serverRequests.get(0).at("/params/messages/0/content/text").asText());
      JsonNode l = answers.get("l-sample").get("result");
      assertFalse(l.has("resultType"), l.toString());
      assertEquals("LLM response: JAVA-SAMPLED", l.at("/content/0/text").asText(), l.toString());
      JsonNode m = answers.get("m-sample-retry").get("result");
      assertEquals("complete", m.path("resultType").asText(), m.toString());
      assertEquals("Sampling result: JAVA-SAMPLED", m.at("/content/0/text").asText(), m.toString());
    }
  }

  // ---- helpers ----

  private static void assertSameInBothEras(String tool, String text, String handlerMethod) {
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
      assertEquals(handlerMethod, call.at("/handlerCalls/0/method").asText());
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

  private static void assertRefused(String name, String messagePart) {
    JsonNode r = refusal(name);
    JsonNode error = r.get("error");
    assertTrue(error != null && !r.has("result"), name + " must be refused: " + r);
    assertEquals(-32602, error.path("code").asInt(), name + ": " + error);
    assertTrue(error.path("message").asText().contains(messagePart), name + ": " + error);
    assertTrue(r.get("handlerCalls").isEmpty(), name + " asked nothing of the client");
    // The refusal is a JSON-RPC error on the wire, not a tool result.
    JsonNode last = r.get("wire").get(r.get("wire").size() - 1).get("frame");
    assertEquals(-32602, last.at("/error/code").asInt(), last.toString());
  }

  /** Every method the client sent on the daemon's pipe, connect included. */
  private static List<String> outgoing(JsonNode report) {
    return texts(report.get("sentMethods"), null);
  }

  private static List<String> texts(JsonNode array, String field) {
    if (array == null || !array.isArray()) return List.of();
    return StreamSupport.stream(array.spliterator(), false)
        .map(n -> field == null ? n.asText() : n.path(field).asText())
        .toList();
  }

  private static ObjectNode modernParams(String version) {
    ObjectNode params = DaemonProcess.JSON.createObjectNode();
    ObjectNode meta = params.putObject("_meta");
    meta.put("io.modelcontextprotocol/protocolVersion", version);
    meta.putObject("io.modelcontextprotocol/clientInfo")
        .put("name", "it-modern")
        .put("version", "0");
    meta.putObject("io.modelcontextprotocol/clientCapabilities").putObject("sampling");
    return params;
  }

  private static ObjectNode callParams(ObjectNode params, String tool) {
    params.put("name", tool).putObject("arguments");
    return params;
  }

  private static void send(
      DaemonProcess daemon, String id, String method, ObjectNode params, Set<String> pending)
      throws IOException {
    pending.add(id);
    daemon.send(
        DaemonProcess.JSON
            .createObjectNode()
            .put("jsonrpc", "2.0")
            .put("id", id)
            .put("method", method)
            .set("params", params));
  }

  private static ObjectNode response(JsonNode id, JsonNode result) {
    ObjectNode r = DaemonProcess.JSON.createObjectNode().put("jsonrpc", "2.0");
    r.set("id", id);
    r.set("result", result);
    return r;
  }

  /** Runs sdk2-check.mjs in one mode against the conformance fixtures and returns its report. */
  private static JsonNode sdk2(String mode) throws IOException, InterruptedException {
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
            "--",
            Tandem.BIN.toString(),
            "serve",
            "--config",
            CONFIG.toString());
    Path err = Files.createTempFile("sdk2-" + mode + "-stderr", ".log");
    Process p =
        new ProcessBuilder(argv).directory(dir.toFile()).redirectError(err.toFile()).start();
    p.getOutputStream().close();
    byte[] out = p.getInputStream().readAllBytes();
    if (!p.waitFor(180, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError(
          "sdk2-check --mode " + mode + " did not finish; stderr:\n" + tail(Files.readString(err)));
    }
    String stdout = new String(out, StandardCharsets.UTF_8).trim();
    if (p.exitValue() != 0) {
      throw new AssertionError(
          "sdk2-check --mode "
              + mode
              + " exited "
              + p.exitValue()
              + "; stdout:\n"
              + stdout
              + "\nstderr:\n"
              + tail(Files.readString(err)));
    }
    JsonNode report = DaemonProcess.JSON.readTree(stdout.lines().reduce((a, b) -> b).orElse("{}"));
    if (report.has("error"))
      throw new AssertionError("sdk2-check --mode " + mode + " reported " + report.get("error"));
    return report;
  }

  private static String tail(String s) {
    return s.length() <= 8000 ? s : s.substring(s.length() - 8000);
  }
}
