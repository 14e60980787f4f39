package dev.tandem.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A Python tool changes a resource and says so (tandem.resources.updated): a session-era host that
 * subscribed hears notifications/resources/updated, and a 2026-07-28 subscriptions/listen stream
 * that asked for the URI hears it tagged with its subscription id; nobody else does.
 */
class ResourceUpdatesTest {

  static final Path CONFIG =
      Tandem.HOME.resolve("integration-tests/src/test/resources/fixtures/notes/tandem.toml");
  static final String URI = "note://today";

  @Test
  void subscribedSessionHearsTheUpdateAndReadsTheNewContents() throws Exception {
    try (DaemonProcess daemon = DaemonProcess.serve(CONFIG)) {
      daemon.initialize();
      ObjectNode sub = DaemonProcess.JSON.createObjectNode().put("uri", URI);
      JsonNode subscribed = daemon.request("s", "resources/subscribe", sub);
      assertTrue(subscribed.has("result"), subscribed.toString());

      List<JsonNode> seen = new ArrayList<>();
      JsonNode answer = callCollecting(daemon, "w1", "write_note", "hello", seen);
      assertEquals("written", answer.at("/result/content/0/text").asText(), answer.toString());
      JsonNode update = awaitNotification(daemon, seen, "notifications/resources/updated");
      assertEquals(URI, update.at("/params/uri").asText(), update.toString());

      JsonNode read = daemon.request("r", "resources/read", sub);
      assertEquals("hello", read.at("/result/contents/0/text").asText(), read.toString());

      daemon.request("u", "resources/unsubscribe", sub);
      seen.clear();
      callCollecting(daemon, "w2", "write_note", "again", seen);
      JsonNode pong = daemon.request("p", "ping", null); // everything before it has arrived
      assertTrue(pong.has("result"));
      assertFalse(
          seen.stream()
              .anyMatch(f -> "notifications/resources/updated".equals(f.path("method").asText())),
          "no update after unsubscribing: " + seen);
    }
  }

  @Test
  void listenStreamHearsTheUpdateTaggedWithItsSubscriptionId() throws Exception {
    try (DaemonProcess daemon = DaemonProcess.serve(CONFIG)) {
      ObjectNode meta = DaemonProcess.JSON.createObjectNode();
      meta.put("io.modelcontextprotocol/protocolVersion", "2026-07-28");
      meta.putObject("io.modelcontextprotocol/clientCapabilities");
      ObjectNode listen = DaemonProcess.JSON.createObjectNode();
      listen.set("_meta", meta);
      listen
          .putObject("notifications")
          .put("toolsListChanged", true)
          .putArray("resourceSubscriptions")
          .add(URI);
      daemon.send(
          DaemonProcess.JSON
              .createObjectNode()
              .put("jsonrpc", "2.0")
              .put("id", "listen-1")
              .put("method", "subscriptions/listen")
              .set("params", listen));
      List<JsonNode> seen = new ArrayList<>();
      JsonNode ack = awaitNotification(daemon, seen, "notifications/subscriptions/acknowledged");
      assertEquals(
          "listen-1",
          ack.at("/params/_meta/io.modelcontextprotocol~1subscriptionId").asText(),
          ack.toString());
      assertEquals(
          URI, ack.at("/params/notifications/resourceSubscriptions/0").asText(), ack.toString());

      ObjectNode call = DaemonProcess.JSON.createObjectNode().put("name", "write_note");
      call.set("_meta", meta);
      call.putObject("arguments").put("text", "modern");
      daemon.send(
          DaemonProcess.JSON
              .createObjectNode()
              .put("jsonrpc", "2.0")
              .put("id", "w")
              .put("method", "tools/call")
              .set("params", call));
      JsonNode update = awaitNotification(daemon, seen, "notifications/resources/updated");
      assertEquals(URI, update.at("/params/uri").asText());
      assertEquals(
          "listen-1",
          update.at("/params/_meta/io.modelcontextprotocol~1subscriptionId").asText(),
          update.toString());
    }
  }

  private static JsonNode callCollecting(
      DaemonProcess daemon, String id, String tool, String text, List<JsonNode> seen)
      throws Exception {
    ObjectNode params = DaemonProcess.JSON.createObjectNode().put("name", tool);
    params.putObject("arguments").put("text", text);
    daemon.send(
        DaemonProcess.JSON
            .createObjectNode()
            .put("jsonrpc", "2.0")
            .put("id", id)
            .put("method", "tools/call")
            .set("params", params));
    while (true) {
      JsonNode frame = daemon.next(Duration.ofSeconds(30));
      if (id.equals(frame.path("id").asText(null)) && (frame.has("result") || frame.has("error")))
        return frame;
      seen.add(frame);
    }
  }

  private static JsonNode awaitNotification(
      DaemonProcess daemon, List<JsonNode> seen, String method) throws Exception {
    for (JsonNode f : seen) if (method.equals(f.path("method").asText())) return f;
    while (true) {
      JsonNode frame = daemon.next(Duration.ofSeconds(30));
      seen.add(frame);
      if (method.equals(frame.path("method").asText())) return frame;
    }
  }
}
