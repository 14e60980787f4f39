package dev.tandem.it;

import static dev.tandem.it.ChaosTally.error;
import static dev.tandem.it.ChaosTally.result;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;

/**
 * Faults on Streamable HTTP: idle connections past the cap, a worker killed, SIGTERM, mid-calls.
 */
final class ChaosHttpFaults {

  private ChaosHttpFaults() {}

  static final Duration DEADLINE = Duration.ofSeconds(60);

  /** As the stdio kill -9 scenario, each call on an HTTP request of its own. */
  static ChaosRow killNineMidCalls(ChaosScenario s, Path dir) throws Exception {
    try (ChaosHttp run =
        ChaosHttp.start(dir, "", "replicas = 2\nspare = 1\nmax_concurrency = 32")) {
      for (int i = 0; i < 15; i++) {
        run.call(
            "ro-" + i,
            "nap",
            Answers.args().put("seconds", 1.5),
            "\"napped 1.5\" (retried)",
            result("napped 1.5"));
        run.call(
            "once-" + i,
            "nap_once",
            Answers.args().put("seconds", 1.5),
            "\"napped once 1.5\" or an error naming SIGKILL",
            result("napped once 1.5").or(error("was killed by signal 9 (SIGKILL)")));
      }
      run.awaitInFlight(30);
      Answers.signal(run.victim(), "KILL");
      return run.finish(s.name(), DEADLINE, "");
    }
  }

  /**
   * SIGTERM with calls in flight over HTTP: short ones served, long ones answered that tandem is
   * shutting down.
   */
  static ChaosRow sigtermWithCallsInFlight(ChaosScenario s, Path dir) throws Exception {
    try (ChaosHttp run =
        ChaosHttp.start(dir, "[server]\nshutdown_grace_ms = 2500\n", "replicas = 2\nspare = 0")) {
      for (int i = 0; i < 10; i++) {
        run.call(
            "short-" + i,
            "nap",
            Answers.args().put("seconds", 1.0),
            "\"napped 1.0\"",
            result("napped 1.0"));
        run.call(
            "long-" + i,
            "nap",
            Answers.args().put("seconds", 60.0),
            "an error: tandem is shutting down",
            error(ChaosHostFaults.SHUTTING_DOWN));
      }
      run.awaitInFlight(20);
      Answers.signal(run.daemon.process().pid(), "TERM");
      boolean exited = run.daemon.process().waitFor(30, java.util.concurrent.TimeUnit.SECONDS);
      String note =
          exited
              ? "daemon exited " + run.daemon.process().exitValue()
              : "daemon still running 30 s after SIGTERM";
      return run.finish(s.name(), DEADLINE, note);
    }
  }

  /**
   * 2,000 calls at once, each on a request of its own, on the default limits: each served, refused
   * as overloaded, or refused with a 503 naming max_connections; answered once.
   */
  static ChaosRow flood(ChaosScenario s, Path dir) throws Exception {
    try (ChaosHttp run = ChaosHttp.start(dir, "", "replicas = 2\nspare = 0")) {
      long t0 = System.nanoTime();
      for (int i = 0; i < 2_000; i++) {
        String id = "f-" + i;
        run.call(
            id,
            "echo",
            Answers.args().put("text", id),
            "\"" + id + "\", refused as overloaded, or 503 max_connections",
            result(id)
                .or(error("tool \"echo\" is unavailable: pool \"chaos\" is overloaded"))
                .or(
                    a ->
                        a.path("error").path("message").asText().contains("answered 503")
                            && a.path("error")
                                .path("message")
                                .asText()
                                .contains("max_connections")));
      }
      ChaosRow row = run.finish(s.name(), Duration.ofSeconds(120), "");
      long ms = (System.nanoTime() - t0) / 1_000_000;
      String outcomes =
          run
              .outcomes(
                  a ->
                      Answers.isError(a)
                          ? (Answers.text(a).contains("answered 503")
                              ? "503 max_connections"
                              : "overloaded")
                          : "served")
              .entrySet()
              .stream()
              .map(e -> e.getValue() + " " + e.getKey())
              .collect(java.util.stream.Collectors.joining(", "));
      return row.withNote("%s in %d ms; %s".formatted(outcomes, ms, row.note()));
    }
  }

  static final int CAP = 40;
  static final int IDLE = 50;

  /**
   * 50 connections that never send a byte against max_connections = 40 and a 1.5 s idle timeout:
   * those past the cap get 503, the others are closed when idle; then 20 calls on a new session are
   * all served. Each idle connection counts as one try.
   */
  static ChaosRow idleConnectionsAtTheCap(ChaosScenario s, Path dir) throws Exception {
    String http = "[http]\nmax_connections = %d\nidle_timeout_ms = 1500\n".formatted(CAP);
    try (ChaosHttp run = ChaosHttp.start(dir, http, "replicas = 1\nspare = 0");
        var readers = Executors.newVirtualThreadPerTaskExecutor()) {
      List<CompletableFuture<String>> idle = new ArrayList<>();
      List<Socket> sockets = new ArrayList<>();
      try {
        for (int i = 0; i < IDLE; i++) {
          Socket socket = new Socket(run.daemon.mcp().getHost(), run.daemon.mcp().getPort());
          sockets.add(socket);
          idle.add(CompletableFuture.supplyAsync(() -> untilClosed(socket), readers));
        }
        int refused = 0, closed = 0;
        for (int i = 0; i < IDLE; i++) {
          String got = idle.get(i).get(30, java.util.concurrent.TimeUnit.SECONDS);
          if (got.startsWith("HTTP/1.1 503")) refused++;
          else if (got.isEmpty() || got.startsWith("HTTP/1.1 408")) closed++;
          // A connection the server never closed got no answer: lost.
          List<JsonNode> answers =
              got.equals(STILL_OPEN)
                  ? List.of()
                  : List.of(DaemonProcess.JSON.createObjectNode().put("response", got));
          run.record(
              "idle-" + i,
              answers,
              "a 503 naming max_connections, or closed when idle",
              a -> {
                String r = a.path("response").asText();
                return (r.startsWith("HTTP/1.1 503") && r.contains("max_connections"))
                    || r.isEmpty()
                    || r.startsWith("HTTP/1.1 408");
              });
        }
        for (int i = 0; i < 20; i++) {
          run.call(
              "after-" + i,
              "echo",
              Answers.args().put("text", "after " + i),
              "\"after " + i + "\"",
              result("after " + i));
        }
        String note = "%d refused 503, %d closed idle; 20 calls after".formatted(refused, closed);
        return run.finish(s.name(), DEADLINE, note);
      } finally {
        for (Socket socket : sockets) socket.close();
      }
    }
  }

  private static final String STILL_OPEN = "still open after 20 s";

  /**
   * What the server wrote on a connection until it closed it ("" if nothing), or "open" after 20 s.
   */
  private static String untilClosed(Socket socket) {
    try {
      socket.setSoTimeout(20_000);
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      socket.getInputStream().transferTo(out);
      return out.toString(StandardCharsets.ISO_8859_1);
    } catch (java.net.SocketTimeoutException e) {
      return STILL_OPEN;
    } catch (IOException e) {
      return ""; // reset by the server: closed
    }
  }
}
