package dev.tandem.supervisor.transport;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tandem.protocol.Json;
import dev.tandem.protocol.Message;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

class StdoutWriterTest {

  /** A host's stdout pipe whose reader stopped: every write blocks until released. */
  private static final class StalledHost extends OutputStream {
    final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    final CountDownLatch released = new CountDownLatch(1);

    @Override
    public void write(int b) {
      write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) {
      try {
        released.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      synchronized (bytes) {
        bytes.write(b, off, len);
      }
    }

    String text() {
      synchronized (bytes) {
        return bytes.toString(StandardCharsets.UTF_8);
      }
    }
  }

  private static Message.Result answer(int id, String text) {
    return new Message.Result(Json.NODES.numberNode(id), Json.object().put("text", text));
  }

  @Test
  void sendersNeverBlockOnAStalledHostAndItsReaderPausesUntilTheAnswersDrain() throws Exception {
    StalledHost host = new StalledHost();
    StdoutWriter writer = new StdoutWriter(host);
    String big = "x".repeat(64 * 1024);
    int answers = StdoutWriter.HIGH_WATER / big.length() + 4;
    // On this thread, with the host not reading: a worker's stdout reader must get through all.
    for (int i = 0; i < answers; i++) writer.write(answer(i, big));
    assertTrue(writer.unwritten() > StdoutWriter.HIGH_WATER, String.valueOf(writer.unwritten()));

    Thread reader =
        Thread.ofPlatform()
            .start(
                () -> {
                  try {
                    writer.awaitRoom();
                  } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                  }
                });
    await().atMost(Duration.ofSeconds(10)).until(() -> reader.getState() == Thread.State.WAITING);
    host.released.countDown();
    reader.join(Duration.ofSeconds(10));
    assertEquals(
        Thread.State.TERMINATED,
        reader.getState(),
        "the reader still waits after the host read again");

    writer.close(10_000);
    String[] lines = host.text().split("\n");
    assertEquals(answers, lines.length);
    for (int i = 0; i < answers; i++) {
      JsonNode frame = Json.MAPPER.readTree(lines[i]);
      assertEquals(i, frame.path("id").asInt(), "answers leave in the order they were sent");
    }
  }

  @Test
  void pastItsCapNotificationsAreDroppedButAnswersNever() throws Exception {
    StalledHost host = new StalledHost();
    StdoutWriter writer = new StdoutWriter(host);
    String big = "y".repeat(1 << 20);
    int filled = StdoutWriter.NOTIFICATION_CAP / big.length() + 1;
    for (int i = 0; i < filled; i++) writer.write(answer(i, big));
    writer.write(
        new Message.Notification("notifications/progress", Json.object().put("progress", 1)));
    writer.write(answer(9999, "last"));
    host.released.countDown();
    writer.close(30_000);
    String text = host.text();
    assertTrue(!text.contains("notifications/progress"), "a notification past the cap was sent");
    assertTrue(text.contains("\"id\":9999"), "an answer past the cap was dropped");
  }
}
