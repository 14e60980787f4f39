package dev.tandem.supervisor.transport;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tandem.protocol.Json;
import dev.tandem.protocol.Message;
import dev.tandem.supervisor.process.Pipes;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
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

  /** A host's stdout that records who wrote to it; what it holds unread is set by the test. */
  private static final class Recording extends OutputStream {
    final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    volatile Thread lastWriter;

    @Override
    public void write(int b) {
      write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public synchronized void write(byte[] b, int off, int len) {
      lastWriter = Thread.currentThread();
      bytes.write(b, off, len);
    }

    synchronized String text() {
      return bytes.toString(StandardCharsets.UTF_8);
    }
  }

  @Test
  void anAnswerToAnEmptyPipeIsWrittenByItsSenderAndOtherwiseByTheThread() throws Exception {
    Recording host = new Recording();
    java.util.concurrent.atomic.AtomicInteger unread =
        new java.util.concurrent.atomic.AtomicInteger();
    StdoutWriter writer = new StdoutWriter(host, unread::get);
    writer.write(answer(1, "one"));
    assertTrue(host.text().contains("\"id\":1"), "written before write returned");
    assertEquals(Thread.currentThread(), host.lastWriter);

    unread.set(1); // the host has not read everything: a write could block
    writer.write(answer(2, "two"));
    await().atMost(Duration.ofSeconds(10)).until(() -> host.text().contains("\"id\":2"));
    assertEquals("stdio-out", host.lastWriter.getName());

    unread.set(0); // more than an empty pipe is sure to take goes to the thread too
    writer.write(answer(3, "z".repeat(Pipes.SURE_TO_TAKE)));
    await().atMost(Duration.ofSeconds(10)).until(() -> host.text().contains("\"id\":3"));
    assertEquals("stdio-out", host.lastWriter.getName());

    writer.close(10_000);
    String[] lines = host.text().split("\n");
    assertEquals(3, lines.length);
    for (int i = 0; i < 3; i++)
      assertEquals(i + 1, Json.MAPPER.readTree(lines[i]).path("id").asInt());
  }

  @Test
  void anUnknownCountOrAPipeThatIsNotEmptyNeverLetsASenderBlock() throws Exception {
    StalledHost host = new StalledHost();
    StdoutWriter writer = new StdoutWriter(host, () -> -1); // the kernel could not say
    for (int i = 0; i < 100; i++) writer.write(answer(i, "x"));
    assertTrue(writer.unwritten() > 0, "nothing reached a host that does not read");
    host.released.countDown();
    writer.close(10_000);
    assertEquals(100, host.text().split("\n").length);
  }

  @Test
  void theProbeCountsWhatAPipeHoldsUnread() throws Exception {
    Path dir = java.nio.file.Files.createTempDirectory("hostpipe");
    Path fifo = dir.resolve("fifo");
    Process mk = new ProcessBuilder("mkfifo", fifo.toString()).start();
    assertEquals(0, mk.waitFor());
    // Opening a FIFO waits for the other end: the reader opens on its own thread.
    java.util.concurrent.CompletableFuture<java.io.FileInputStream> reader =
        java.util.concurrent.CompletableFuture.supplyAsync(
            () -> {
              try {
                return new java.io.FileInputStream(fifo.toFile());
              } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
              }
            });
    try (java.io.FileOutputStream w = new java.io.FileOutputStream(fifo.toFile());
        java.io.FileInputStream r = reader.get(10, java.util.concurrent.TimeUnit.SECONDS)) {
      HostPipe.Probe probe = HostPipe.of(w.getFD());
      assertEquals(0, probe.unread());
      w.write(new byte[10]);
      assertEquals(10, probe.unread());
      assertEquals(4, r.read(new byte[4]));
      assertEquals(6, probe.unread());
    } finally {
      java.nio.file.Files.deleteIfExists(fifo);
      java.nio.file.Files.deleteIfExists(dir);
    }
  }

  @Test
  void onlyAnAnonymousPipeGetsAProbe() throws Exception {
    Path dir = java.nio.file.Files.createTempDirectory("fdlinks");
    try {
      // What /proc/self/fd/1 reads for a pipe, a socket pair (Node.js hosts) and a file.
      Path pipe =
          java.nio.file.Files.createSymbolicLink(dir.resolve("1"), Path.of("pipe:[2801120]"));
      Path socket =
          java.nio.file.Files.createSymbolicLink(dir.resolve("2"), Path.of("socket:[77]"));
      Path file = java.nio.file.Files.createSymbolicLink(dir.resolve("3"), Path.of("/tmp/out.log"));
      assertTrue(HostPipe.isPipe(pipe));
      assertTrue(!HostPipe.isPipe(socket), "a socket pair has no count of what the host read");
      assertTrue(!HostPipe.isPipe(file));
      assertTrue(!HostPipe.isPipe(dir.resolve("missing")));
    } finally {
      try (var paths = java.nio.file.Files.list(dir)) {
        for (Path p : paths.toList()) java.nio.file.Files.delete(p);
      }
      java.nio.file.Files.delete(dir);
    }
  }
}
