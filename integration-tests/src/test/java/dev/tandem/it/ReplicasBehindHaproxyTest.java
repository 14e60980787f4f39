package dev.tandem.it;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Two real tandem replicas on fixed loopback ports behind the real HAProxy running the shipped
 * {@code deploy/haproxy.cfg}: session-era clients stick to the replica that minted their
 * Mcp-Session-Id; a replica killed with SIGKILL costs its sessions a 404 and a new initialize while
 * the stateless era goes on; and a rolling restart (SIGTERM, start again, then the other) under a
 * steady load of both eras fails no call. In that order, on the same replicas.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ReplicasBehindHaproxyTest {

  static final String KEY = "replicas-it-key-0123456789abcdefghijklmnopqrstuv";

  /** Longer than HAProxy's inter 1 s x fall 2, plus a check's own time: see deploy/README.md. */
  static final Map<String, String> ENV =
      Map.of("TANDEM_STATE_KEY", KEY, "TANDEM_HTTP_DRAIN_MS", "4000");

  static final int SESSIONS = 20;
  static final int CALLS_PER_SESSION = 10;

  static final int[] ports = new int[2];
  static final HttpDaemon[] replicas = new HttpDaemon[2];
  static Haproxy lb;
  static final List<McpHttpClient> sessions = new ArrayList<>();
  static final HttpClient http =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(10))
          .build();

  @BeforeAll
  static void startReplicasAndBalancer() throws Exception {
    Haproxy.binary(); // skips the class, saying why, before starting anything
    for (int i = 0; i < 2; i++) {
      ports[i] = Haproxy.freePort();
      replicas[i] = HttpDaemon.serveAt(ports[i], Tandem.EXAMPLES, ENV);
    }
    for (HttpDaemon r : replicas) r.awaitReady();
    lb = Haproxy.start(ports[0], ports[1]);
  }

  @AfterAll
  static void stop() {
    if (lb != null) lb.close();
    for (HttpDaemon r : replicas) if (r != null) r.close();
  }

  @Test
  @Order(1)
  void eachSessionKeepsItsReplicaAcrossManyCalls() throws Exception {
    for (int s = 0; s < SESSIONS; s++) {
      McpHttpClient c = new McpHttpClient(http, lb.mcp(), Map.of());
      c.initialize();
      sessions.add(c);
    }
    // Interleaved, so the round-robin would send consecutive requests to alternate replicas: a
    // request that reached the wrong one would be answered 404.
    for (int round = 0; round < CALLS_PER_SESSION; round++) {
      for (int s = 0; s < SESSIONS; s++) {
        HttpResponse<String> r = sessions.get(s).post(echo("s" + s + "r" + round));
        assertEquals(200, r.statusCode(), "session " + s + " round " + round + ": " + r.body());
        assertTrue(r.body().contains("s" + s + "r" + round), r.body());
      }
    }
    int on1 = httpSessions(0), on2 = httpSessions(1);
    assertEquals(SESSIONS, on1 + on2, "every session lives on exactly one replica");
    assertTrue(on1 > 0 && on2 > 0, "initialize was spread: " + on1 + " + " + on2);
  }

  @Test
  @Order(2)
  void aKilledReplicasSessionsGet404AndReinitializeWhileTheStatelessEraGoesOn() throws Exception {
    int doomed = httpSessions(0);
    long downBefore = lb.transitions("tandem1", "DOWN");
    kill9(replicas[0]);
    // Stateless calls right away, before HAProxy has noticed: a refused connection is retried on
    // the other replica.
    for (int i = 0; i < 20; i++) {
      JsonNode answer = ModernHttpCall.call(http, lb.mcp(), "m" + i, modernEcho("m" + i));
      assertEquals("m" + i, answer.at("/result/content/0/text").asText(), answer.toString());
    }
    int notFound = 0;
    for (McpHttpClient c : sessions) {
      HttpResponse<String> r = c.post(echo("after"));
      if (r.statusCode() == 404) {
        notFound++;
        assertEquals(-32001, McpHttpClient.error(r).at("/error/code").asInt(), r.body());
        c.sessionId = null;
        c.initialize(); // what the spec tells a client to do with a 404
        r = c.post(echo("again"));
      }
      assertEquals(200, r.statusCode(), r.body());
    }
    assertEquals(doomed, notFound, "exactly the killed replica's sessions were lost");
    assertEquals(SESSIONS, httpSessions(1), "all now live on the survivor");
    restart(0, downBefore);
  }

  @Test
  @Order(3)
  void aRollingRestartUnderLoadFailsNoCall() throws Exception {
    AtomicBoolean running = new AtomicBoolean(true);
    AtomicInteger modernOk = new AtomicInteger(), sessionOk = new AtomicInteger();
    AtomicInteger reinitialized = new AtomicInteger();
    List<String> failures = new CopyOnWriteArrayList<>();
    List<Thread> load = new ArrayList<>();
    for (int t = 0; t < 3; t++) {
      int id = t;
      load.add(
          Thread.ofPlatform()
              .name("modern-load-" + t)
              .start(
                  () -> {
                    for (int i = 0; running.get(); i++) {
                      String text = "m" + id + "-" + i;
                      try {
                        JsonNode a = ModernHttpCall.call(http, lb.mcp(), text, modernSleep());
                        if (a.has("error")) failures.add(text + ": " + a);
                        else modernOk.incrementAndGet();
                      } catch (Throwable e) {
                        failures.add(text + ": " + e);
                      }
                    }
                  }));
    }
    for (int t = 0; t < 2; t++) {
      int id = t;
      load.add(
          Thread.ofPlatform()
              .name("session-load-" + t)
              .start(
                  () -> {
                    McpHttpClient c = new McpHttpClient(http, lb.mcp(), Map.of());
                    try {
                      c.initialize();
                      for (int i = 0; running.get(); i++) {
                        String text = "s" + id + "-" + i;
                        HttpResponse<String> r = c.post(echo(text));
                        if (r.statusCode() == 404) {
                          // Its replica stopped: the call never ran; a new session, then again.
                          reinitialized.incrementAndGet();
                          c.sessionId = null;
                          c.initialize();
                          r = c.post(echo(text));
                        }
                        if (r.statusCode() == 200 && r.body().contains(text))
                          sessionOk.incrementAndGet();
                        else failures.add(text + ": " + r.statusCode() + " " + r.body());
                      }
                    } catch (Throwable e) {
                      failures.add("session " + id + ": " + e);
                    }
                  }));
    }
    long started = System.nanoTime();
    await().atMost(Duration.ofSeconds(30)).until(() -> modernOk.get() > 20 && sessionOk.get() > 20);
    for (int i = 0; i < 2; i++) {
      long downBefore = lb.transitions("tandem" + (i + 1), "DOWN");
      int exit = sigtermAndWait(replicas[i]);
      assertEquals(0, exit, "replica " + (i + 1) + " exits 0 after its drain");
      assertTrue(
          lb.transitions("tandem" + (i + 1), "DOWN") > downBefore,
          "HAProxy took it out of rotation during its drain, before it stopped listening");
      restart(i, downBefore);
    }
    int before = modernOk.get() + sessionOk.get();
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> modernOk.get() + sessionOk.get() > before + 20);
    running.set(false);
    for (Thread t : load) t.join(TimeUnit.SECONDS.toMillis(60));
    long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
    System.out.printf(
        "rolling restart of 2 replicas behind HAProxy under load: %d stateless + %d session calls"
            + " in %.1f s, %d failed, %d session re-initializations%n",
        modernOk.get(), sessionOk.get(), ms / 1000.0, failures.size(), reinitialized.get());
    assertEquals(List.of(), failures, "no call failed during the rolling restart");
  }

  // ---- the moves ----

  /** Once HAProxy has seen replica {@code i} go, starts it again and waits until it is back. */
  private static void restart(int i, long downBefore) throws Exception {
    String name = "tandem" + (i + 1);
    await().atMost(Duration.ofSeconds(20)).until(() -> lb.transitions(name, "DOWN") > downBefore);
    long upBefore = lb.transitions(name, "UP");
    replicas[i] = HttpDaemon.serveAt(ports[i], Tandem.EXAMPLES, ENV).awaitReady();
    await().atMost(Duration.ofSeconds(30)).until(() -> lb.transitions(name, "UP") > upBefore);
  }

  private static void kill9(HttpDaemon d) throws Exception {
    Answers.signal(d.process().pid(), "KILL");
    assertTrue(d.process().waitFor(20, TimeUnit.SECONDS));
  }

  private static int sigtermAndWait(HttpDaemon d) throws Exception {
    Answers.signal(d.process().pid(), "TERM");
    assertTrue(d.process().waitFor(60, TimeUnit.SECONDS), "exits after its drain");
    return d.process().exitValue();
  }

  private static int httpSessions(int i) throws Exception {
    return DaemonProcess.JSON
        .readTree(replicas[i].get("/status").body())
        .path("httpSessions")
        .asInt();
  }

  private static ObjectNode echo(String text) {
    ObjectNode params = DaemonProcess.JSON.createObjectNode().put("name", "echo");
    params.putObject("arguments").put("text", text);
    return McpHttpClient.request(text, "tools/call", params);
  }

  private static ObjectNode modernEcho(String text) {
    ObjectNode args = DaemonProcess.JSON.createObjectNode().put("text", text);
    return ModernHttpCall.params("echo", args);
  }

  /** Long enough that a SIGTERM finds calls in flight, which must still be answered. */
  private static ObjectNode modernSleep() {
    return ModernHttpCall.params(
        "sleep", DaemonProcess.JSON.createObjectNode().put("seconds", 0.2));
  }
}
