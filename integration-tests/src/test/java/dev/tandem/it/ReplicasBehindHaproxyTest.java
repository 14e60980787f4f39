package dev.tandem.it;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Three real tandem replicas on fixed loopback ports behind the real HAProxy running the shipped
 * {@code deploy/haproxy.cfg} (issue 15, "What it must show"): 20 sessions of the official
 * TypeScript SDK client each keep the replica that minted their Mcp-Session-Id; a replica killed
 * with SIGKILL costs its sessions a 404 and a new initialize while the other sessions see nothing
 * and the stateless era goes on; and a rolling restart of all three (SIGTERM, start again, then the
 * next) under a steady load of both eras fails no call, loses none and answers none twice. In that
 * order, on the same replicas.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ReplicasBehindHaproxyTest {

  static final int REPLICAS = 3;
  static final int SESSIONS = 20;
  static final int ROUNDS = 5;

  static HaproxyReplicas cluster;
  static SdkStickySessions sdk;

  /** Which replica served each SDK session in the first test. */
  static final Map<Integer, String> homeOf = new HashMap<>();

  static final HttpClient http =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(10))
          .build();

  @BeforeAll
  static void startReplicasAndBalancer() throws Exception {
    cluster = HaproxyReplicas.start(REPLICAS, Files.createTempDirectory("tandem-it-replicas-"));
  }

  @AfterAll
  static void stop() throws Exception {
    if (sdk != null) sdk.close();
    if (cluster != null) cluster.close();
  }

  @Test
  @Order(1)
  void twentySdkSessionsEachKeepTheirReplica() throws Exception {
    sdk = SdkStickySessions.open(cluster.lb.mcp(), SESSIONS);
    JsonNode phase = sdk.run("sticky", ROUNDS);
    Map<String, Integer> perReplica = new HashMap<>();
    for (JsonNode s : phase.path("sessions")) {
      assertEquals(List.of(), errorsOf(s), "session " + s);
      assertEquals(ROUNDS, s.path("ok").asInt(), "every call answered: " + s);
      assertEquals(0, s.path("notFound").asInt(), s.toString());
      assertEquals(0, s.path("clientErrors").size(), s.toString());
      JsonNode served = s.path("served");
      assertEquals(1, served.size(), "one replica served all of a session's calls: " + s);
      String home = served.get(0).path("replica").asText();
      homeOf.put(s.path("index").asInt(), home);
      perReplica.merge(home, 1, Integer::sum);
    }
    assertEquals(SESSIONS, homeOf.size(), phase.toString());
    // initialize is the only request without a session id, so the round-robin deals them out.
    assertEquals(REPLICAS, perReplica.size(), "sessions spread over every replica: " + perReplica);
    for (int i = 0; i < REPLICAS; i++) {
      String name = HaproxyReplicas.name(i);
      assertEquals(
          perReplica.get(name).intValue(),
          cluster.httpSessions(i),
          name + " holds the sessions that said it served them");
    }
    System.out.printf("20 SDK sessions through HAProxy, by replica: %s%n", perReplica);
  }

  @Test
  @Order(2)
  void aKilledReplicasSdkSessionsReinitializeWhileTheOthersSeeNothing() throws Exception {
    int victim = 0;
    String dead = HaproxyReplicas.name(victim);
    long downBefore = cluster.downs(victim);
    cluster.kill9(victim);
    // Stateless calls right away, before HAProxy has noticed: a refused connection is retried on
    // another replica.
    for (int i = 0; i < 20; i++) {
      ObjectNode args = DaemonProcess.JSON.createObjectNode().put("text", "m" + i);
      JsonNode answer =
          ModernHttpCall.call(http, cluster.lb.mcp(), "m" + i, ModernHttpCall.params("echo", args));
      assertEquals("m" + i, answer.at("/result/content/0/text").asText(), answer.toString());
    }
    JsonNode phase = sdk.run("after-kill", ROUNDS);
    int orphans = 0;
    for (JsonNode s : phase.path("sessions")) {
      String home = homeOf.get(s.path("index").asInt());
      assertEquals(List.of(), errorsOf(s), "no call failed: " + s);
      assertEquals(ROUNDS, s.path("ok").asInt(), "every call answered: " + s);
      JsonNode served = s.path("served");
      assertEquals(1, served.size(), "one replica served all of its calls: " + s);
      String now = served.get(0).path("replica").asText();
      if (home.equals(dead)) {
        orphans++;
        assertEquals(1, s.path("notFound").asInt(), "its first call got 404: " + s);
        assertEquals(1, s.path("reinitialized").asInt(), "it initialized again, once: " + s);
        assertNotEquals(dead, now, "served by a live replica: " + s);
      } else {
        assertEquals(home, now, "it kept its replica: " + s);
        assertEquals(0, s.path("notFound").asInt(), s.toString());
        assertEquals(0, s.path("reinitialized").asInt(), s.toString());
        assertEquals(0, s.path("clientErrors").size(), "saw nothing at all, then or since: " + s);
      }
    }
    assertTrue(orphans > 0, "the killed replica had sessions: " + homeOf);
    int live = 0;
    for (int i = 0; i < REPLICAS; i++) if (i != victim) live += cluster.httpSessions(i);
    assertEquals(SESSIONS, live, "all sessions now live on the survivors");
    System.out.printf(
        "%s killed: its %d SDK sessions got 404, initialized again and went on; the other %d saw"
            + " nothing%n",
        dead, orphans, SESSIONS - orphans);
    sdk.close();
    sdk = null;
    cluster.restart(victim, downBefore);
  }

  @Test
  @Order(3)
  void aRollingRestartOfAllThreeUnderLoadFailsLosesAndDuplicatesNoCall() throws Exception {
    long started = System.nanoTime();
    RollingLoad load = new RollingLoad(cluster.lb.mcp(), 3, 3);
    try {
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> load.stateless.ok.get() > 20 && load.session.ok.get() > 20);
      for (int i = 0; i < REPLICAS; i++) {
        long downBefore = cluster.downs(i);
        assertEquals(0, cluster.sigtermAndWait(i), HaproxyReplicas.name(i) + " exits 0");
        assertTrue(
            cluster.downs(i) > downBefore,
            "HAProxy took it out of rotation during its drain, before it stopped listening");
        cluster.restart(i, downBefore);
      }
      int before = load.answeredRight();
      await().atMost(Duration.ofSeconds(30)).until(() -> load.answeredRight() > before + 20);
    } finally {
      load.close();
    }
    double seconds = (System.nanoTime() - started) / 1e9;
    System.out.printf(
        "rolling restart of %d replicas behind HAProxy under load, %.1f s:%n  %s%n  %s%n",
        REPLICAS, seconds, load.stateless.figures(), load.session.figures());
    for (CallLedger era : List.of(load.stateless, load.session)) {
      assertEquals(List.of(), era.failures, era.figures());
      assertEquals(0, era.lost(), era.figures());
      assertEquals(0, era.answeredTwice(), era.figures());
      assertEquals(0, era.strays(), era.figures());
      assertEquals(era.sentCount() - era.reinitialized.get(), era.ok.get(), era.figures());
    }
  }

  private static List<JsonNode> errorsOf(JsonNode session) {
    List<JsonNode> out = new ArrayList<>();
    session.path("errors").forEach(out::add);
    return out;
  }
}
