package dev.tandem.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code tandem status} finds a running daemon the way the Python client does (the runtime file
 * serve --http writes, or --url) and shows its pools and workers; without one it says how to start
 * one.
 */
class StatusCommandTest {

  @Test
  void showsThePoolsAndWorkersOfTheDaemonTheRuntimeFileNames(@TempDir Path runtime)
      throws Exception {
    Path config = Tandem.config(runtime.resolve("cfg"), Tandem.examplesPool("notes", 2));
    try (HttpDaemon daemon = HttpDaemon.serve(config).awaitReady()) {
      Files.createDirectories(runtime.resolve("tandem"));
      Files.writeString(
          runtime.resolve("tandem/daemon.json"),
          "{\"url\": \"" + daemon.mcp() + "\", \"pid\": " + daemon.process().pid() + "}");
      Map<String, String> env = Map.of("XDG_RUNTIME_DIR", runtime.toString());

      TandemCli.Result table = TandemCli.run(Tandem.BIN, List.of("status"), env, null);
      assertEquals(0, table.status(), table.toString());
      assertTrue(table.stdout().startsWith("tandem at " + daemon.mcp()), table.toString());
      assertTrue(table.stdout().contains("pool \"notes\""), table.toString());

      TandemCli.Result json = TandemCli.run(Tandem.BIN, List.of("status", "--json"), env, null);
      assertEquals(0, json.status(), json.toString());
      JsonNode status = DaemonProcess.JSON.readTree(json.stdout());
      JsonNode workers = status.at("/pools/0/workers");
      assertTrue(workers.size() >= 2, status.toString());
      for (JsonNode w : workers) {
        assertTrue(
            table.stdout().contains(w.get("pid").asText()),
            "worker pid " + w.get("pid") + " shown:\n" + table.stdout());
      }

      TandemCli.Result byUrl =
          TandemCli.run(
              Tandem.BIN,
              List.of("status", "--url", daemon.mcp().toString()),
              Map.of(
                  "XDG_RUNTIME_DIR",
                  runtime.resolve("elsewhere").toString(),
                  "HOME",
                  runtime.resolve("nohome").toString()),
              null);
      assertEquals(0, byUrl.status(), byUrl.toString());
    }
  }

  /**
   * /status, tandem status --json and the MCP request tandem/status show one document, field for
   * field.
   */
  @Test
  void theAdminPageTheCommandAndTheMcpRequestShowOneDocument(@TempDir Path runtime)
      throws Exception {
    Path config = Tandem.config(runtime.resolve("cfg"), Tandem.examplesPool("notes", 1));
    try (HttpDaemon daemon = HttpDaemon.serve(config).awaitReady()) {
      McpHttpClient client = daemon.client();
      client.initialize();
      JsonNode viaMcp = client.exchange("s", "tandem/status", null).getLast().get("result");
      JsonNode viaPage = DaemonProcess.JSON.readTree(daemon.get("/status").body());
      TandemCli.Result json =
          TandemCli.run(
              Tandem.BIN,
              List.of("status", "--json", "--url", daemon.mcp().toString()),
              Map.of("XDG_RUNTIME_DIR", runtime.resolve("none").toString()),
              null);
      assertEquals(0, json.status(), json.toString());
      JsonNode viaCommand = DaemonProcess.JSON.readTree(json.stdout());

      for (JsonNode doc : List.of(viaPage, viaCommand)) {
        assertEquals(fields(viaMcp), fields(doc), "top level of " + doc);
        assertEquals(fields(viaMcp.at("/pools/0")), fields(doc.at("/pools/0")), "pool of " + doc);
        assertEquals(
            fields(viaMcp.at("/pools/0/workers/0")),
            fields(doc.at("/pools/0/workers/0")),
            "worker of " + doc);
      }
      assertTrue(viaMcp.get("ready").asBoolean(), viaMcp.toString());
      assertEquals(1, viaMcp.get("httpSessions").asInt(), viaMcp.toString());
      assertTrue(viaMcp.at("/pools/0/tools").asInt() > 0, viaMcp.toString());
    }
  }

  private static java.util.Set<String> fields(JsonNode node) {
    java.util.Set<String> names = new java.util.TreeSet<>();
    node.fieldNames().forEachRemaining(names::add);
    return names;
  }

  @Test
  void withoutADaemonItSaysHowToStartOne(@TempDir Path dir) throws Exception {
    TandemCli.Result r =
        TandemCli.run(
            Tandem.BIN,
            List.of("status"),
            Map.of(
                "XDG_RUNTIME_DIR",
                dir.resolve("run").toString(),
                "HOME",
                dir.toString(),
                "XDG_CACHE_HOME",
                dir.resolve("cache").toString()),
            null);
    assertEquals(1, r.status(), r.toString());
    assertTrue(
        r.stderr()
            .contains(
                "no running tandem daemon found (no runtime file at "
                    + dir.resolve("run/tandem/daemon.json")
                    + " or "
                    + dir.resolve("cache/tandem/daemon.json")
                    + ")"),
        r.toString());
    assertTrue(r.stderr().contains("start one with 'tandem serve --http'"), r.toString());
  }

  @Test
  void aRuntimeFileLeftByADeadDaemonIsCalledStale(@TempDir Path runtime) throws Exception {
    Files.createDirectories(runtime.resolve("tandem"));
    // A port nothing listens on, and a pid that is not running.
    Files.writeString(
        runtime.resolve("tandem/daemon.json"),
        "{\"url\": \"http://127.0.0.1:9/mcp\", \"pid\": 2147483646}");
    TandemCli.Result r =
        TandemCli.run(
            Tandem.BIN, List.of("status"), Map.of("XDG_RUNTIME_DIR", runtime.toString()), null);
    assertEquals(1, r.status(), r.toString());
    assertTrue(
        r.stderr().contains("nothing answers at http://127.0.0.1:9/status (connection refused)"),
        r.toString());
    assertTrue(
        r.stderr().contains("names pid 2147483646, which is not running: the daemon is gone"),
        r.toString());
  }
}
