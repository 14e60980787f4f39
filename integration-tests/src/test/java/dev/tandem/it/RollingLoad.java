package dev.tandem.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A steady, bounded load through the balancer in both eras: a fixed number of clients, each one
 * call at a time, until stopped, each call a {@code sleep} long enough that a replica told to stop
 * has calls in flight, which it must still answer. Session-era clients, on a 404, initialize again
 * and send the call again under a new id, as the spec tells a client to.
 */
final class RollingLoad implements AutoCloseable {

  final CallLedger stateless = new CallLedger("2026-07-28 stateless");
  final CallLedger session = new CallLedger("2025-11-25 sessions");
  private final AtomicBoolean running = new AtomicBoolean(true);
  private final List<Thread> threads = new ArrayList<>();
  private final HttpClient http =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(10))
          .build();
  private final URI mcp;

  RollingLoad(URI mcp, int statelessClients, int sessionClients) {
    this.mcp = mcp;
    for (int t = 0; t < statelessClients; t++) {
      int id = t;
      threads.add(Thread.ofPlatform().name("stateless-load-" + t).start(() -> stateless(id)));
    }
    for (int t = 0; t < sessionClients; t++) {
      int id = t;
      threads.add(Thread.ofPlatform().name("session-load-" + t).start(() -> sessions(id)));
    }
  }

  int answeredRight() {
    return stateless.ok.get() + session.ok.get();
  }

  private void stateless(int client) {
    for (int i = 0; running.get(); i++) {
      String id = "m" + client + "-" + i;
      stateless.sent(id);
      try {
        HttpResponse<String> r =
            ModernHttpCall.post(http, mcp, id, ModernHttpCall.params("sleep", seconds(0.2)));
        if (r.statusCode() != 200) {
          stateless.answered(id);
          stateless.failed(id + ": HTTP " + r.statusCode() + " " + r.body());
          continue;
        }
        List<JsonNode> messages = McpHttpClient.messages(r);
        stateless.answered(messages);
        JsonNode last = messages.get(messages.size() - 1);
        if (last.at("/result/content/0/text").asText().startsWith("slept"))
          stateless.ok.incrementAndGet();
        else stateless.failed(id + ": " + last);
      } catch (Exception e) {
        stateless.failed(id + ": " + e);
      }
    }
  }

  private void sessions(int client) {
    McpHttpClient c = new McpHttpClient(http, mcp, Map.of());
    try {
      c.initialize();
    } catch (Exception e) {
      session.failed("session client " + client + " could not initialize: " + e);
      return;
    }
    for (int i = 0; running.get(); i++) {
      String id = "s" + client + "-" + i;
      try {
        HttpResponse<String> r = sleep(c, id);
        if (r.statusCode() == 404) {
          // Its replica stopped: the call never ran. A new session, and the call again.
          session.answered(id);
          session.reinitialized.incrementAndGet();
          c.sessionId = null;
          c.initialize();
          id = id + "-again";
          r = sleep(c, id);
        }
        if (r.statusCode() != 200) {
          session.answered(id);
          session.failed(id + ": HTTP " + r.statusCode() + " " + r.body());
          continue;
        }
        List<JsonNode> messages = McpHttpClient.messages(r);
        session.answered(messages);
        JsonNode last = messages.get(messages.size() - 1);
        if (last.at("/result/content/0/text").asText().startsWith("slept"))
          session.ok.incrementAndGet();
        else session.failed(id + ": " + r.body());
      } catch (Exception e) {
        session.failed(id + ": " + e);
      }
    }
  }

  private HttpResponse<String> sleep(McpHttpClient c, String id) throws Exception {
    session.sent(id);
    ObjectNode params = DaemonProcess.JSON.createObjectNode().put("name", "sleep");
    params.set("arguments", seconds(0.1));
    return c.post(McpHttpClient.request(id, "tools/call", params));
  }

  private static ObjectNode seconds(double s) {
    return DaemonProcess.JSON.createObjectNode().put("seconds", s);
  }

  /** Stops sending and waits for every call in flight to be answered (or to fail). */
  @Override
  public void close() throws InterruptedException {
    running.set(false);
    for (Thread t : threads) t.join(TimeUnit.SECONDS.toMillis(70));
  }
}
