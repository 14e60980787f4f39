package dev.tandem.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A request whose id is already in flight in the session is refused before it is routed: its tool
 * never runs (issue 17, item 4: it was refused after dispatch, and ran all the same).
 */
class DuplicateRequestIdTest {

  @Test
  void aDuplicateIdIsRefusedAndItsToolNeverRuns(@TempDir Path dir) throws Exception {
    var url = DuplicateRequestIdTest.class.getResource("/fixtures/surface/tandem.toml");
    assertNotNull(url, "fixtures/surface/tandem.toml is on the test classpath");
    Path first = dir.resolve("first");
    Path duplicate = dir.resolve("duplicate");
    try (DaemonProcess daemon = DaemonProcess.serve(Path.of(url.toURI()))) {
      daemon.initialize();
      // slow_steps writes "finished" to its marker when it ends: 5 steps of 0.1 s, then 1 step.
      daemon.send(call("dup", 5, first));
      daemon.send(call("dup", 1, duplicate));

      Map<String, JsonNode> answers = new HashMap<>();
      while (answers.size() < 2) {
        JsonNode frame = daemon.next(Duration.ofSeconds(30));
        if (frame.path("id").asText().equals("dup"))
          answers.put(frame.has("error") ? "error" : "result", frame);
      }
      JsonNode refused = answers.get("error");
      assertNotNull(refused, answers.toString());
      assertEquals(-32600, refused.at("/error/code").asInt(), refused.toString());
      assertTrue(
          refused.at("/error/message").asText().contains("already in flight"), refused.toString());
      JsonNode served = answers.get("result");
      assertNotNull(served, answers.toString());
      assertEquals("took 5 steps", served.at("/result/content/0/text").asText(), served.toString());

      assertEquals("finished", Files.readString(first));
      // Had the duplicate reached a worker, its single step would have ended before the five.
      assertFalse(Files.exists(duplicate), "the refused call's tool ran");
    }
  }

  private static ObjectNode call(String id, int steps, Path marker) {
    ObjectNode msg =
        DaemonProcess.JSON
            .createObjectNode()
            .put("jsonrpc", "2.0")
            .put("id", id)
            .put("method", "tools/call");
    ObjectNode params = msg.putObject("params").put("name", "slow_steps");
    params.putObject("arguments").put("steps", steps).put("marker", marker.toString());
    return msg;
  }
}
