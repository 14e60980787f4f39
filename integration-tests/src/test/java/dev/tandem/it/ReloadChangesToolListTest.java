package dev.tandem.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A reload whose new code serves another tool: the session hears notifications/tools/list_changed
 * (before the reload's answer), tools/list shows the new tool from a worker of the new code, and it
 * can be called. A reload that changes nothing in the lists sends no notification. A 2026-07-28
 * client, which has no session, can reload too.
 */
class ReloadChangesToolListTest {

  @Test
  void toolAddedByTheEditIsAnnouncedAndListed(@TempDir Path dir) throws Exception {
    Path tools = ReloadUnderLoadTest.promptedTools(dir);
    Path module = tools.resolve("prompted.py");
    Path config =
        Tandem.config(
            dir,
            """
        [[pool]]
        name = "prompted"
        modules = ["prompted"]
        path = "tools"
        replicas = 1
        """);
    try (DaemonProcess daemon = DaemonProcess.serve(config)) {
      daemon.initialize();
      assertEquals(List.of("answer"), toolNames(daemon.request("l1", "tools/list", null)));

      List<JsonNode> unchanged = untilAnswer(daemon, "r1");
      assertTrue(
          unchanged.stream().noneMatch(f -> f.path("method").asText().endsWith("list_changed")),
          "nothing changed, nothing announced: " + unchanged);

      Files.writeString(
          module,
          ReloadUnderLoadTest.PROMPTED
              + """

          @tool
          def shout(text: str) -> str:
              \"\"\"The text, louder.\"\"\"
              return text.upper() + "!"
          """);
      List<JsonNode> frames = untilAnswer(daemon, "r2");
      JsonNode answer = frames.get(frames.size() - 1);
      JsonNode tools2 = answer.path("result").path("pools").path(0).path("tools");
      assertEquals(1, tools2.path("before").asInt(), answer.toString());
      assertEquals(2, tools2.path("after").asInt(), answer.toString());
      assertEquals("shout", tools2.path("added").path(0).asText(), answer.toString());
      assertTrue(
          frames.stream()
              .anyMatch(f -> f.path("method").asText().equals("notifications/tools/list_changed")),
          "the session is told its tool list changed: " + frames);

      assertEquals(List.of("answer", "shout"), toolNames(daemon.request("l2", "tools/list", null)));
      JsonNode shout =
          daemon.request(
              "c1",
              "tools/call",
              DaemonProcess.JSON.readTree(
                  "{\"name\": \"shout\", \"arguments\": {\"text\": \"hi\"}}"));
      assertEquals("HI!", Answers.text(shout), shout.toString());
    }
  }

  @Test
  void reloadIsServedPerRequestIn2026(@TempDir Path dir) throws Exception {
    Path config = Tandem.config(dir, Tandem.examplesPool("examples", 1));
    try (DaemonProcess daemon = DaemonProcess.serve(config)) {
      // No initialize: a 2026-07-28 request carries its version and capabilities in _meta.
      JsonNode answer =
          daemon.request(
              "r",
              "tandem/reload",
              DaemonProcess.JSON.readTree(
                  "{\"_meta\": {\"io.modelcontextprotocol/protocolVersion\": \"2026-07-28\","
                      + " \"io.modelcontextprotocol/clientCapabilities\": {}}}"));
      assertEquals(
          "complete", answer.path("result").path("resultType").asText(), answer.toString());
      assertEquals(
          "examples", answer.path("result").path("reloaded").path(0).asText(), answer.toString());
    }
  }

  /** Sends tandem/reload and returns every frame up to and including its answer. */
  private static List<JsonNode> untilAnswer(DaemonProcess daemon, String id) throws Exception {
    daemon.send(
        DaemonProcess.JSON
            .createObjectNode()
            .put("jsonrpc", "2.0")
            .put("id", id)
            .put("method", "tandem/reload"));
    List<JsonNode> frames = new ArrayList<>();
    while (true) {
      JsonNode frame = daemon.next(Duration.ofSeconds(60));
      frames.add(frame);
      if (frame.path("id").asText().equals(id)) return frames;
    }
  }

  private static List<String> toolNames(JsonNode listAnswer) {
    List<String> names = new ArrayList<>();
    listAnswer.path("result").path("tools").forEach(t -> names.add(t.path("name").asText()));
    return names;
  }
}
