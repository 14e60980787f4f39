package dev.tandem.it;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * {@code tandem serve --http 127.0.0.1:0 --stdio}: one daemon serves a host on its stdin/stdout and
 * two hosts over Streamable HTTP, all on the same workers of the bundled examples pool. The three
 * sessions start at once and use the same request ids and the same progress tokens as each other,
 * so only the daemon's per-session bookkeeping can tell their calls apart: each must get exactly
 * its own answers and its own progress (echo of a session-specific text; count to a
 * session-specific n, whose progress totals name the session), and nothing of anyone else's. Then
 * the stdio host closes stdin, which stops the daemon — HTTP sessions still open — with status 0
 * and no worker left.
 */
class MixedStdioAndHttpSessionsTest {

  static final int CALLS = 8;
  static final List<String> SESSIONS = List.of("stdio", "http-a", "http-b");

  static String echoId(int i) {
    return "call-" + i + "-echo";
  }

  static String countId(int i) {
    return "call-" + i;
  }

  static String token(int i) {
    return "tok-" + i; // the same tokens in every session
  }

  static String echoText(String who, int i) {
    return who + " says " + countId(i);
  }

  /** Distinct per session for the same call index, so a progress total names its session. */
  static int n(int session, int i) {
    return 5 + session + 3 * i;
  }

  @Test
  void stdioAndHttpHostsShareThePoolAndEachGetsOnlyItsOwnAnswersAndProgress() throws Exception {
    try (StdioAndHttpDaemon daemon = StdioAndHttpDaemon.serve()) {
      JsonNode init = daemon.stdioRequest("init", "initialize", initializeParams());
      assertEquals("tandem", init.at("/result/serverInfo/name").asText(), init.toString());
      daemon.stdioSend(notification("notifications/initialized"));
      daemon.awaitReady();

      List<McpHttpClient> http = List.of(daemon.httpClient(), daemon.httpClient());
      for (McpHttpClient c : http) c.initialize();
      assertFalse(http.get(0).sessionId.equals(http.get(1).sessionId), "two HTTP sessions");

      CountDownLatch go = new CountDownLatch(1);
      ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();
      Future<Window> stdio =
          threads.submit(
              () -> {
                go.await();
                return stdioSession(daemon, 0);
              });
      List<Future<Window>> https = new ArrayList<>();
      for (int s = 1; s < SESSIONS.size(); s++) {
        McpHttpClient client = http.get(s - 1);
        int session = s;
        https.add(
            threads.submit(
                () -> {
                  go.await();
                  return httpSession(threads, client, session);
                }));
      }
      go.countDown();
      List<Window> windows = new ArrayList<>();
      windows.add(stdio.get(120, TimeUnit.SECONDS));
      for (Future<Window> f : https) windows.add(f.get(120, TimeUnit.SECONDS));
      threads.shutdown();

      // The three sessions really were in flight together, not one after another.
      long latestStart = windows.stream().mapToLong(Window::start).max().orElseThrow();
      long earliestEnd = windows.stream().mapToLong(Window::end).min().orElseThrow();
      assertTrue(latestStart < earliestEnd, "the sessions overlapped in time: " + windows);

      // One pool served them all: the stdio host's calls and the HTTP hosts' on the same workers.
      JsonNode status = DaemonProcess.JSON.readTree(daemon.get("/status").body());
      assertEquals(1, status.get("pools").size(), status.toString());
      assertEquals(2, status.get("httpSessions").asInt(), status.toString());
      long served = 0;
      for (JsonNode w : status.at("/pools/0/workers")) served += w.get("callsServed").asLong();
      assertTrue(
          served >= SESSIONS.size() * 2L * CALLS,
          "all " + SESSIONS.size() * 2 * CALLS + " calls ran on the one pool: " + status);

      // The stdio host leaves: stdin EOF stops the whole daemon, HTTP sessions and all.
      List<ProcessHandle> workers = daemon.process().descendants().toList();
      assertFalse(workers.isEmpty(), "the daemon had workers");
      for (JsonNode w : status.at("/pools/0/workers")) {
        long pid = w.get("pid").asLong();
        assertTrue(
            workers.stream().anyMatch(h -> h.pid() == pid),
            "worker " + pid + " is a child of the daemon: " + workers);
      }
      daemon.closeStdin();
      assertEquals(
          0,
          daemon.awaitExit(Duration.ofSeconds(30)),
          "stdin EOF is an orderly stop: status 0; stderr:\n" + daemon.stderrText());
      await("no worker outlives the daemon")
          .atMost(Duration.ofSeconds(5))
          .pollInterval(Duration.ofMillis(20))
          .until(() -> workers.stream().noneMatch(ProcessHandle::isAlive));
      assertTrue(
          daemon.stderrText().contains("the stdio host closed stdin; shutting down"),
          daemon.stderrText());
      assertThrows(
          ConnectException.class, () -> daemon.get("/healthz"), "the HTTP listener is gone too");
      assertTrue(
          daemon.unexpectedStdout().isEmpty(),
          "stdout carried only frames: " + daemon.unexpectedStdout());
    }
  }

  /** When a session sent its first request and got its last answer (nanoTime). */
  record Window(String who, long start, long end) {}

  /** The stdio host: every call pipelined at once on the one pipe, then every frame checked. */
  private static Window stdioSession(StdioAndHttpDaemon daemon, int session) throws Exception {
    String who = SESSIONS.get(session);
    long start = System.nanoTime();
    Set<String> ids = new HashSet<>();
    for (int i = 0; i < CALLS; i++) {
      daemon.stdioSend(
          callTool(
              echoId(i),
              "echo",
              DaemonProcess.JSON.createObjectNode().put("text", echoText(who, i)),
              null));
      daemon.stdioSend(
          callTool(
              countId(i),
              "count",
              DaemonProcess.JSON.createObjectNode().put("n", n(session, i)),
              token(i)));
      ids.add(echoId(i));
      ids.add(countId(i));
    }
    List<JsonNode> frames = daemon.stdioFramesUntilAnswered(ids, Duration.ofSeconds(90));
    long end = System.nanoTime();

    Map<String, List<Integer>> answers = new LinkedHashMap<>(); // id -> positions in frames
    Map<String, List<JsonNode>> progress = new LinkedHashMap<>(); // token -> notifications in order
    Map<String, Integer> lastProgressAt = new LinkedHashMap<>();
    for (int k = 0; k < frames.size(); k++) {
      JsonNode f = frames.get(k);
      String method = f.path("method").asText(null);
      if (method == null) {
        answers.computeIfAbsent(f.get("id").asText(), x -> new ArrayList<>()).add(k);
      } else if (f.has("id")) {
        throw new AssertionError(
            who + " got a server→client request no call of its own could cause: " + f);
      } else if (method.equals("notifications/progress")) {
        String t = f.at("/params/progressToken").asText();
        progress.computeIfAbsent(t, x -> new ArrayList<>()).add(f);
        lastProgressAt.put(t, k);
      }
    }
    assertEquals(
        ids, answers.keySet(), who + " got answers only to its own requests: " + answers.keySet());
    for (int i = 0; i < CALLS; i++) {
      JsonNode echo = frames.get(single(who, echoId(i), answers));
      assertEquals(
          echoText(who, i),
          echo.at("/result/content/0/text").asText(),
          who + " got another session's echo: " + echo);
      int countAt = single(who, countId(i), answers);
      JsonNode counted = frames.get(countAt);
      assertEquals(
          "counted to " + n(session, i),
          counted.at("/result/content/0/text").asText(),
          who + " got another session's count: " + counted);
      checkProgress(who, i, n(session, i), progress.getOrDefault(token(i), List.of()));
      assertTrue(
          lastProgressAt.get(token(i)) < countAt,
          who + ": the progress of " + countId(i) + " came before its answer");
    }
    Set<String> tokens = new HashSet<>();
    for (int i = 0; i < CALLS; i++) tokens.add(token(i));
    assertEquals(tokens, progress.keySet(), who + " got progress only for its own tokens");
    return new Window(who, start, end);
  }

  /** An HTTP host: every call at once, each on its own POST; each stream checked on its own. */
  private static Window httpSession(ExecutorService threads, McpHttpClient client, int session)
      throws Exception {
    String who = SESSIONS.get(session);
    long start = System.nanoTime();
    List<Future<String>> checks = new ArrayList<>();
    for (int i = 0; i < CALLS; i++) {
      int call = i;
      checks.add(threads.submit(echoCheck(client, who, call)));
      checks.add(
          threads.submit(
              () -> {
                int n = n(session, call);
                List<JsonNode> stream =
                    client.callTool(
                        countId(call),
                        "count",
                        DaemonProcess.JSON.createObjectNode().put("n", n),
                        token(call));
                assertEquals(
                    n + 1,
                    stream.size(),
                    who
                        + " "
                        + countId(call)
                        + ": its stream carries its progress and answer only: "
                        + stream);
                checkProgress(who, call, n, stream.subList(0, n));
                JsonNode answer = stream.get(n);
                assertEquals(countId(call), answer.get("id").asText(), stream.toString());
                assertEquals(
                    "counted to " + n,
                    answer.at("/result/content/0/text").asText(),
                    who + " got another session's count: " + answer);
                return "ok";
              }));
    }
    for (Future<String> f : checks) assertEquals("ok", f.get(90, TimeUnit.SECONDS));
    return new Window(who, start, System.nanoTime());
  }

  private static Callable<String> echoCheck(McpHttpClient client, String who, int i) {
    return () -> {
      List<JsonNode> stream =
          client.callTool(
              echoId(i),
              "echo",
              DaemonProcess.JSON.createObjectNode().put("text", echoText(who, i)),
              null);
      assertEquals(
          1,
          stream.size(),
          who + " " + echoId(i) + ": an echo stream carries only its answer: " + stream);
      assertEquals(echoId(i), stream.get(0).get("id").asText(), stream.toString());
      assertEquals(
          echoText(who, i),
          stream.get(0).at("/result/content/0/text").asText(),
          who + " got another session's echo: " + stream);
      return "ok";
    };
  }

  /** count(n) reports progress 1..n of n under the token of call i, and nothing else. */
  private static void checkProgress(String who, int i, int n, List<JsonNode> notes) {
    assertEquals(
        n, notes.size(), who + " " + countId(i) + ": " + n + " progress notifications: " + notes);
    for (int k = 0; k < n; k++) {
      JsonNode p = notes.get(k);
      assertEquals("notifications/progress", p.get("method").asText(), notes.toString());
      assertEquals(token(i), p.at("/params/progressToken").asText(), who + ": " + p);
      assertEquals(
          n, p.at("/params/total").asInt(), who + " got progress of another session's call: " + p);
      assertEquals(k + 1, p.at("/params/progress").asInt(), who + ": " + notes);
    }
  }

  private static int single(String who, String id, Map<String, List<Integer>> answers) {
    List<Integer> at = answers.get(id);
    assertEquals(1, at == null ? 0 : at.size(), who + ": exactly one answer to " + id);
    return at.get(0);
  }

  private static ObjectNode initializeParams() {
    ObjectNode params =
        DaemonProcess.JSON.createObjectNode().put("protocolVersion", McpHttpClient.VERSION);
    params.putObject("capabilities");
    params.putObject("clientInfo").put("name", "it-stdio").put("version", "0");
    return params;
  }

  private static ObjectNode notification(String method) {
    return DaemonProcess.JSON.createObjectNode().put("jsonrpc", "2.0").put("method", method);
  }

  private static ObjectNode callTool(
      String id, String tool, JsonNode arguments, String progressToken) {
    ObjectNode params = DaemonProcess.JSON.createObjectNode().put("name", tool);
    params.set("arguments", arguments);
    if (progressToken != null) params.putObject("_meta").put("progressToken", progressToken);
    return McpHttpClient.request(id, "tools/call", params);
  }

  /**
   * The real {@code bin/tandem serve --http 127.0.0.1:0 --stdio} on the bundled examples: its
   * stdin/stdout are the stdio host's wire (kept open, unlike {@link HttpDaemon}, which closes
   * stdin at once), its stderr gives the HTTP port.
   */
  static final class StdioAndHttpDaemon implements AutoCloseable {

    private static final Pattern LISTENING = Pattern.compile("listening on (http://\\S+/mcp)");

    private final Process process;
    private final OutputStream stdin;
    private final BlockingQueue<JsonNode> frames = new LinkedBlockingQueue<>();
    private final List<String> notJson = new CopyOnWriteArrayList<>();
    private final List<String> stderr = new CopyOnWriteArrayList<>();
    private final HttpClient http =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10))
            .build();
    private volatile URI mcp;

    private StdioAndHttpDaemon(Process process) {
      this.process = process;
      this.stdin = process.getOutputStream();
      Thread.ofPlatform().daemon().name("mixed-daemon-stdout").start(this::readStdout);
      Thread.ofPlatform().daemon().name("mixed-daemon-stderr").start(this::readStderr);
    }

    static StdioAndHttpDaemon serve() throws IOException {
      ProcessBuilder pb =
          new ProcessBuilder(
              Tandem.BIN.toString(),
              "serve",
              "--http",
              "127.0.0.1:0",
              "--stdio",
              "--config",
              Tandem.EXAMPLES.toString(),
              "--set",
              "http.token="); // an open server: the SDK client here sends no token
      pb.environment().remove("TANDEM_HTTP_TOKEN");
      StdioAndHttpDaemon daemon = new StdioAndHttpDaemon(pb.start());
      await()
          .atMost(Duration.ofSeconds(60))
          .until(() -> daemon.mcp != null || !daemon.process.isAlive());
      if (daemon.mcp == null)
        throw new AssertionError(
            "tandem --http --stdio did not start; stderr:\n" + daemon.stderrText());
      return daemon;
    }

    private void readStdout() {
      try (BufferedReader r =
          new BufferedReader(
              new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
        String line;
        while ((line = r.readLine()) != null) {
          try {
            frames.add(DaemonProcess.JSON.readTree(line));
          } catch (IOException e) {
            notJson.add(line);
          }
        }
      } catch (IOException e) {
        // process ended
      }
    }

    private void readStderr() {
      try (BufferedReader r =
          new BufferedReader(
              new InputStreamReader(process.getErrorStream(), StandardCharsets.UTF_8))) {
        String line;
        while ((line = r.readLine()) != null) {
          stderr.add(line);
          Matcher m = LISTENING.matcher(line);
          if (mcp == null && m.find()) mcp = URI.create(m.group(1));
        }
      } catch (IOException e) {
        // process ended
      }
    }

    synchronized void stdioSend(JsonNode message) throws IOException {
      stdin.write(
          (DaemonProcess.JSON.writeValueAsString(message) + "\n").getBytes(StandardCharsets.UTF_8));
      stdin.flush();
    }

    /** A request on the stdio wire, before any concurrency: skips everything but its answer. */
    JsonNode stdioRequest(String id, String method, JsonNode params)
        throws IOException, InterruptedException {
      stdioSend(McpHttpClient.request(id, method, params));
      while (true) {
        JsonNode f = frames.poll(30, TimeUnit.SECONDS);
        if (f == null)
          throw new AssertionError(
              "no answer to " + method + " on stdout; stderr:\n" + stderrText());
        if (!f.has("method") && f.path("id").asText().equals(id)) return f;
      }
    }

    /**
     * Every frame on stdout until each of {@code ids} has an answer (and a moment more for strays).
     */
    List<JsonNode> stdioFramesUntilAnswered(Set<String> ids, Duration deadline)
        throws InterruptedException {
      List<JsonNode> out = new ArrayList<>();
      Set<String> waiting = new HashSet<>(ids);
      long until = System.nanoTime() + deadline.toNanos();
      while (!waiting.isEmpty()) {
        JsonNode f = frames.poll(Math.max(1, until - System.nanoTime()), TimeUnit.NANOSECONDS);
        if (f == null)
          throw new AssertionError(
              "stdio: no answer to "
                  + waiting
                  + " within "
                  + deadline
                  + "; got "
                  + out
                  + "\nstderr:\n"
                  + stderrText());
        out.add(f);
        if (!f.has("method") && f.has("id")) waiting.remove(f.get("id").asText());
      }
      JsonNode f;
      while ((f = frames.poll(300, TimeUnit.MILLISECONDS)) != null) out.add(f);
      return out;
    }

    McpHttpClient httpClient() {
      return new McpHttpClient(http, mcp, Map.of());
    }

    HttpResponse<String> get(String path) throws IOException, InterruptedException {
      return http.send(
          HttpRequest.newBuilder(mcp.resolve(path)).timeout(Duration.ofSeconds(30)).GET().build(),
          HttpResponse.BodyHandlers.ofString());
    }

    void awaitReady() {
      await().atMost(Duration.ofSeconds(60)).until(() -> get("/readyz").statusCode() == 200);
    }

    void closeStdin() throws IOException {
      stdin.close();
    }

    int awaitExit(Duration deadline) {
      await().atMost(deadline).until(() -> !process.isAlive());
      return process.exitValue();
    }

    List<String> unexpectedStdout() {
      return List.copyOf(notJson);
    }

    Process process() {
      return process;
    }

    String stderrText() {
      return String.join("\n", stderr);
    }

    @Override
    public void close() {
      List<ProcessHandle> children = process.descendants().toList();
      try {
        stdin.close();
      } catch (IOException e) {
        // already closed
      }
      try {
        if (!process.waitFor(20, TimeUnit.SECONDS)) process.destroyForcibly();
      } catch (InterruptedException e) {
        process.destroyForcibly();
        Thread.currentThread().interrupt();
      }
      children.forEach(ProcessHandle::destroyForcibly);
    }
  }
}
