package dev.tandem.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Many host sessions, one set of pools: three HTTP sessions call the same pool at once, each using
 * the same request ids and the same progress token as the others, so only the daemon's own
 * bookkeeping can tell their calls apart. Each must get exactly its own answers and its own
 * progress, on the stream of the request it belongs to, and nothing of anyone else's.
 *
 * <p>(A stdio host cannot join in one process: {@code --http} serves HTTP only. The router and
 * pools are the same objects for either transport, so sessions sharing them is proven here.)
 */
class HttpSessionsShareOnePoolTest {

  static final int SESSIONS = 3;
  static final int CALLS = 12;

  @Test
  void concurrentSessionsWithCollidingIdsEachGetOnlyTheirOwnAnswers(@TempDir Path dir)
      throws Exception {
    try (HttpDaemon daemon =
        HttpDaemon.serve(Tandem.config(dir, Tandem.examplesPool("shared", 2))).awaitReady()) {
      List<McpHttpClient> clients = new ArrayList<>();
      for (int s = 0; s < SESSIONS; s++) {
        McpHttpClient c = daemon.client();
        c.initialize();
        clients.add(c);
      }
      ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor();
      List<Future<String>> checks = new ArrayList<>();
      for (int s = 0; s < SESSIONS; s++) {
        McpHttpClient client = clients.get(s);
        String who = "session" + s;
        for (int i = 0; i < CALLS; i++) {
          String id = "call-" + i; // the same ids in every session
          int n = 2 + (i % 3) + s; // a different count per session, so progress totals identify it
          checks.add(pool.submit(check(client, who, id, n)));
        }
      }
      for (Future<String> f : checks) assertEquals("ok", f.get(120, TimeUnit.SECONDS));
      pool.shutdown();

      JsonNode status = DaemonProcess.JSON.readTree(daemon.get("/status").body());
      long served = 0;
      for (JsonNode w : status.at("/pools/0/workers")) served += w.get("callsServed").asLong();
      assertTrue(
          served >= SESSIONS * CALLS * 2L, "all calls ran on the one shared pool: " + status);
      assertEquals(SESSIONS, status.get("httpSessions").asInt(), status.toString());
    }
  }

  /** An echo and a counted call with progress, both checked to be this session's own. */
  private static Callable<String> check(McpHttpClient client, String who, String id, int n) {
    return () -> {
      String text = who + "/" + id;
      List<JsonNode> echo =
          client.callTool(
              id + "-echo", "echo", DaemonProcess.JSON.createObjectNode().put("text", text), null);
      assertEquals(1, echo.size(), "an echo stream carries only its answer: " + echo);
      assertEquals(id + "-echo", echo.get(0).get("id").asText());
      assertEquals(
          text,
          echo.get(0).at("/result/content/0/text").asText(),
          "answer of another session: " + echo);

      List<JsonNode> counted =
          client.callTool(
              id, "count", DaemonProcess.JSON.createObjectNode().put("n", n), "same-token");
      assertEquals(n + 1, counted.size(), who + " " + id + ": " + counted);
      for (int k = 0; k < n; k++) {
        JsonNode p = counted.get(k);
        assertEquals("notifications/progress", p.get("method").asText(), counted.toString());
        assertEquals("same-token", p.at("/params/progressToken").asText());
        assertEquals(
            n,
            p.at("/params/total").asInt(),
            who + " got progress of another session's call: " + p);
        assertEquals(k + 1, p.at("/params/progress").asInt(), counted.toString());
      }
      JsonNode answer = counted.get(n);
      assertEquals(id, answer.get("id").asText());
      assertEquals(
          "counted to " + n, answer.at("/result/content/0/text").asText(), who + ": " + answer);
      return "ok";
    };
  }
}
