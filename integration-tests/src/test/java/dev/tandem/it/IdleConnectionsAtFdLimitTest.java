package dev.tandem.it;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Idle connections up to the file-descriptor limit (the daemon started under {@code prlimit
 * --nofile=200:200}) used to end the HTTP side for good: the failed accept was logged through
 * java.util.logging, whose formatter threw NoClassDefFoundError (it could not open the time-zone
 * rules), killing the acceptor thread; /healthz never answered again, and SIGTERM failed with
 * RejectedExecutionException. Now a failed accept pauses accepting and says so, and by default the
 * connection cap keeps half the free descriptors for the daemon's own needs (a worker replaced
 * while clients hold every connection they may).
 */
class IdleConnectionsAtFdLimitTest {

  static final List<String> LIMITED = List.of("prlimit", "--nofile=200:200");

  static List<Socket> openMany(HttpDaemon daemon, int n) throws IOException {
    List<Socket> sockets = new ArrayList<>();
    for (int i = 0; i < n; i++)
      sockets.add(new Socket(daemon.mcp().getHost(), daemon.mcp().getPort()));
    return sockets;
  }

  static void closeAll(List<Socket> sockets) {
    for (Socket s : sockets) {
      try {
        s.close();
      } catch (IOException e) {
        // already closed by the daemon
      }
    }
  }

  static boolean healthy(HttpDaemon daemon) {
    try {
      String host = "127.0.0.1:" + daemon.mcp().getPort();
      return RawHttp.raw(
              daemon.mcp(),
              "GET /healthz HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n")
          .startsWith("HTTP/1.1 200");
    } catch (IOException e) {
      return false;
    }
  }

  static void assertStopsCleanly(HttpDaemon daemon) throws InterruptedException {
    daemon.process().destroy(); // SIGTERM
    assertTrue(
        daemon.process().waitFor(30, TimeUnit.SECONDS),
        "SIGTERM did not end the daemon:\n" + daemon.stderrText());
    assertEquals(0, daemon.process().exitValue(), daemon.stderrText());
    assertTrue(!daemon.stderrText().contains("RejectedExecutionException"), daemon.stderrText());
  }

  @Test
  void acceptAtTheFdLimitPausesAndRecoversOnceClientsLeave(@TempDir Path dir) throws Exception {
    // A cap far over the limit, so the accepts themselves fail with EMFILE.
    Path config =
        Tandem.config(
            dir,
            Tandem.examplesPool("fds", 1)
                + """
        [http]
        max_connections = 100000
        """);
    try (HttpDaemon daemon = HttpDaemon.serve(LIMITED, config, Map.of()).awaitReady()) {
      List<Socket> held = openMany(daemon, 300);
      try {
        await()
            .atMost(Duration.ofSeconds(30))
            .until(() -> daemon.stderrText().contains("cannot accept a connection"));
        assertTrue(daemon.stderrText().contains("Too many open files"), daemon.stderrText());
      } finally {
        closeAll(held);
      }
      await().atMost(Duration.ofSeconds(30)).until(() -> healthy(daemon));
      assertTrue(!daemon.stderrText().contains("NoClassDefFoundError"), daemon.stderrText());
      assertStopsCleanly(daemon);
    }
  }

  @Test
  void defaultCapLeavesDescriptorsToReplaceAWorker(@TempDir Path dir) throws Exception {
    // Nothing set: the default cap (and the default idle timeout, longer than this test).
    Path config = Tandem.config(dir, Tandem.examplesPool("fds", 1));
    try (HttpDaemon daemon = HttpDaemon.serve(LIMITED, config, Map.of()).awaitReady()) {
      assertTrue(
          daemon.stderrText().contains("HTTP connections at once: half of the"),
          daemon.stderrText());
      List<Socket> held = openMany(daemon, 300);
      try {
        // Every connection is taken; kill the serving worker: its replacement needs new pipes.
        ProcessHandle worker =
            daemon
                .process()
                .descendants()
                .filter(p -> p.info().commandLine().orElse("").contains("tandem.worker"))
                .findFirst()
                .orElseThrow();
        worker.destroyForcibly();
        await()
            .atMost(Duration.ofSeconds(60))
            .until(() -> daemon.stderrText().matches("(?s).*worker=3 pid=\\d+ ready.*"));
        assertTrue(!daemon.stderrText().contains("Cannot run program"), daemon.stderrText());
      } finally {
        closeAll(held);
      }
      await().atMost(Duration.ofSeconds(30)).until(() -> healthy(daemon));
      McpHttpClient client = daemon.client();
      client.initialize();
      List<JsonNode> answer =
          client.callTool(
              "e", "echo", DaemonProcess.JSON.createObjectNode().put("text", "still here"), null);
      assertEquals(
          "still here",
          answer.get(answer.size() - 1).at("/result/content/0/text").asText(),
          answer.toString());
      assertStopsCleanly(daemon);
    }
  }
}
