package dev.tandem.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The initialize handshake as the lifecycle page describes it, over the real stdio pipe. */
class SessionLifecycleTest {

  @Test
  void callBeforeInitializeIsRefusedThenTheSessionStartsNormally() throws Exception {
    try (DaemonProcess daemon = DaemonProcess.serve(Tandem.EXAMPLES)) {
      JsonNode early = daemon.request("early", "tools/list", null);
      assertEquals(-32600, early.at("/error/code").asInt(), early.toString());
      assertTrue(early.at("/error/message").asText().contains("initialize"), early.toString());
      JsonNode pong = daemon.request("p", "ping", null);
      assertTrue(pong.get("result").isObject(), "ping is allowed before initialize");
      JsonNode init = daemon.initialize();
      assertEquals("tandem", init.at("/result/serverInfo/name").asText());
      JsonNode list = daemon.request("l", "tools/list", null);
      assertTrue(list.at("/result/tools").size() >= 5, list.toString());
    }
  }

  @Test
  void olderProtocolVersionsAreNegotiatedAndUnknownOnesGetTheLatest() throws Exception {
    for (String version :
        new String[] {"2024-11-05", "2025-03-26", "2025-06-18", "2025-11-25", "1999-01-01"}) {
      try (DaemonProcess daemon = DaemonProcess.serve(Tandem.EXAMPLES)) {
        var params = DaemonProcess.JSON.createObjectNode().put("protocolVersion", version);
        params.putObject("capabilities");
        params.putObject("clientInfo").put("name", "it").put("version", "0");
        JsonNode init = daemon.request("i", "initialize", params);
        String expected = version.equals("1999-01-01") ? "2025-11-25" : version;
        assertEquals(expected, init.at("/result/protocolVersion").asText(), init.toString());
      }
    }
  }

  @Test
  void toolsListPagesWithOpaqueCursorsAndRejectsForgedOnes(
      @org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
    var config =
        Tandem.config(dir, "[server]\npage_size = 2\n" + Tandem.examplesPool("examples", 1));
    try (DaemonProcess daemon = DaemonProcess.serve(config)) {
      daemon.initialize();
      java.util.List<String> names = new java.util.ArrayList<>();
      String cursor = null;
      int pages = 0;
      do {
        var params = DaemonProcess.JSON.createObjectNode();
        if (cursor != null) params.put("cursor", cursor);
        JsonNode page = daemon.request("page" + pages, "tools/list", params);
        assertTrue(page.at("/result/tools").size() <= 2, page.toString());
        page.at("/result/tools").forEach(t -> names.add(t.get("name").asText()));
        cursor =
            page.at("/result/nextCursor").isMissingNode()
                ? null
                : page.at("/result/nextCursor").asText();
        pages++;
      } while (cursor != null && pages < 50);
      assertTrue(pages >= 3, "six example tools in pages of two");
      assertEquals(names.size(), new java.util.HashSet<>(names).size(), "no tool twice: " + names);
      assertTrue(
          names.containsAll(
              java.util.List.of("echo", "sleep", "text_stats", "fail", "shout", "count")),
          names.toString());
      var forged = DaemonProcess.JSON.createObjectNode().put("cursor", "not-a-cursor");
      JsonNode e = daemon.request("forged", "tools/list", forged);
      assertEquals(-32602, e.at("/error/code").asInt(), e.toString());
    }
  }

  @Test
  void stdinEofShutsDownCleanlyWithExitZeroAndNoWorkerLeft() throws Exception {
    try (DaemonProcess daemon = DaemonProcess.serve(Tandem.EXAMPLES)) {
      daemon.initialize();
      daemon.request("l", "tools/list", null);
      var workers = daemon.process().descendants().toList();
      assertTrue(workers.size() >= 2, "two example workers run: " + workers);
      daemon.closeStdin();
      assertEquals(0, daemon.awaitExit(Duration.ofSeconds(20)));
      org.awaitility.Awaitility.await()
          .atMost(Duration.ofSeconds(5))
          .until(() -> workers.stream().noneMatch(ProcessHandle::isAlive));
      assertTrue(
          daemon.rawStdout().stream().allMatch(l -> l.startsWith("{")),
          "stdout carried frames only");
    }
  }

  @Test
  void callSentBeforeThePoolsAreReadyIsAnsweredThoughTheHostLeavesAtOnce() throws Exception {
    try (DaemonProcess daemon = DaemonProcess.serve(Tandem.EXAMPLES)) {
      var init =
          DaemonProcess.JSON
              .createObjectNode()
              .put("jsonrpc", "2.0")
              .put("id", "i")
              .put("method", "initialize");
      init.putObject("params").put("protocolVersion", "2025-11-25").putObject("capabilities");
      daemon.send(init);
      var call =
          DaemonProcess.JSON
              .createObjectNode()
              .put("jsonrpc", "2.0")
              .put("id", "early")
              .put("method", "tools/call");
      call.putObject("params").put("name", "echo").putObject("arguments").put("text", "made it");
      daemon.send(call);
      daemon.closeStdin(); // before the workers can possibly be ready
      JsonNode answer;
      do {
        answer = daemon.next(Duration.ofSeconds(30));
      } while (!"early".equals(answer.path("id").asText()));
      assertEquals("made it", answer.at("/result/content/0/text").asText(), answer.toString());
      assertEquals(0, daemon.awaitExit(Duration.ofSeconds(30)));
    }
  }
}
