package dev.tandem.it;

import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * One scenario's daemon on Streamable HTTP: the chaos pool, one MCP session, calls made each on a
 * thread of its own, and at the end the row that counts the messages that answered them.
 */
final class ChaosHttp implements AutoCloseable {

  final HttpDaemon daemon;
  final McpHttpClient session;
  final ChaosTally tally = new ChaosTally();
  private final ChaosLeaks leaks;
  private final ExecutorService callers = Executors.newVirtualThreadPerTaskExecutor();
  private final Map<String, CompletableFuture<List<JsonNode>>> calls = new HashMap<>();

  private ChaosHttp(HttpDaemon daemon, String marker) throws Exception {
    this.daemon = daemon;
    this.leaks = new ChaosLeaks(daemon.process().toHandle(), marker);
    this.session = newSession();
  }

  static ChaosHttp start(Path dir, String more, String pool) throws Exception {
    String marker = UUID.randomUUID().toString();
    Path config = Tandem.config(dir, more + "\n" + ChaosStdio.poolToml(dir, marker, pool, ""));
    HttpDaemon daemon = HttpDaemon.serve(config);
    try {
      daemon.awaitReady();
      return new ChaosHttp(daemon, marker);
    } catch (Throwable e) {
      daemon.close();
      throw e;
    }
  }

  /** A session on a client of its own: no pooled connection from an earlier phase is reused. */
  McpHttpClient newSession() throws Exception {
    HttpClient http =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10))
            .build();
    McpHttpClient client = new McpHttpClient(http, daemon.mcp(), Map.of());
    client.initialize();
    return client;
  }

  /** Starts a tools/call and expects one answer to it that {@code right} accepts. */
  void call(String id, String tool, ObjectNode arguments, String what, Predicate<JsonNode> right) {
    tally.expect(id, what, right);
    calls.put(id, CompletableFuture.supplyAsync(() -> answersTo(id, tool, arguments), callers));
  }

  /** An exchange the scenario made itself (a raw socket): its answers, checked as a call's are. */
  void record(String id, List<JsonNode> answers, String what, Predicate<JsonNode> right) {
    tally.expect(id, what, right);
    calls.put(id, CompletableFuture.completedFuture(answers));
  }

  private List<JsonNode> answersTo(String id, String tool, ObjectNode arguments) {
    try {
      List<JsonNode> answers = new ArrayList<>();
      for (JsonNode m : session.callTool(id, tool, arguments, null)) {
        if (m.path("id").asText().equals(id) && (m.has("result") || m.has("error"))) answers.add(m);
      }
      return answers;
    } catch (AssertionError e) {
      // A status other than 200 is an answer too, if not the expected one: keep what it said.
      ObjectNode error = DaemonProcess.JSON.createObjectNode();
      error.putObject("error").put("code", 0).put("message", String.valueOf(e.getMessage()));
      return List.of(error);
    } catch (Exception e) {
      tally.noAnswer(id, e.getClass().getSimpleName() + ": " + e.getMessage());
      return List.of(); // no answer: the connection failed or the request timed out
    }
  }

  /**
   * How many calls' first answers {@code kind} put under each name, once {@link #finish} has run.
   */
  java.util.SortedMap<String, Integer> outcomes(
      java.util.function.Function<JsonNode, String> kind) {
    java.util.SortedMap<String, Integer> counts = new java.util.TreeMap<>();
    for (var call : calls.values()) {
      List<JsonNode> answers = call.getNow(List.of());
      counts.merge(answers.isEmpty() ? "no answer" : kind.apply(answers.get(0)), 1, Integer::sum);
    }
    return counts;
  }

  /** A pool's entry in GET /status. */
  JsonNode pool(String name) throws Exception {
    for (JsonNode p : DaemonProcess.JSON.readTree(daemon.get("/status").body()).path("pools")) {
      if (p.path("name").asText().equals(name)) return p;
    }
    return DaemonProcess.JSON.createObjectNode();
  }

  void awaitInFlight(int n) {
    await("the chaos pool has " + n + " calls in flight")
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(20))
        .until(() -> pool(ChaosStdio.POOL).path("inFlight").asInt() >= n);
  }

  long victim() throws Exception {
    long any = -1;
    for (JsonNode w : pool(ChaosStdio.POOL).path("workers")) {
      if (!w.path("role").asText().equals("serving")) continue;
      if (w.path("inFlight").asInt() > 0) return w.path("pid").asLong();
      any = w.path("pid").asLong();
    }
    if (any < 0) throw new IllegalStateException("no serving worker in the chaos pool");
    return any;
  }

  /**
   * Waits for the calls' answers (up to the deadline), stops the daemon with SIGTERM unless it is
   * gone, counts.
   */
  ChaosRow finish(String scenario, Duration deadline, String note) throws Exception {
    long end = System.nanoTime() + deadline.toNanos();
    Map<String, List<JsonNode>> answers = new HashMap<>();
    for (var e : calls.entrySet()) {
      long left = Math.max(1, end - System.nanoTime());
      try {
        answers.put(e.getKey(), e.getValue().get(left, TimeUnit.NANOSECONDS));
      } catch (java.util.concurrent.TimeoutException timeout) {
        answers.put(e.getKey(), List.of());
      }
    }
    long t0 = System.nanoTime();
    boolean running = daemon.process().isAlive();
    daemon.close();
    if (running)
      note +=
          (note.isEmpty() ? "" : "; ")
              + "SIGTERM to exit "
              + (System.nanoTime() - t0) / 1_000_000
              + " ms";
    callers.shutdownNow();
    int leaked = leaks.leftAfterExit(Duration.ofSeconds(3)).size();
    return ChaosStdio.keepLogUnlessClean(
        tally.row(scenario, "http", answers, leaked, note), daemon.stderrText().lines().toList());
  }

  @Override
  public void close() {
    daemon.close();
    callers.shutdownNow();
  }
}
