package dev.tandem.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class FrameWriterTest {

  /** Records each write that reached it. */
  private static final class Writes extends OutputStream {
    final List<String> writes = new ArrayList<>();
    final ByteArrayOutputStream all = new ByteArrayOutputStream();

    @Override
    public void write(int b) {
      write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) {
      writes.add(new String(b, off, len, StandardCharsets.UTF_8));
      all.write(b, off, len);
    }
  }

  private static Message ping(int id) {
    return new Message.Request(Json.NODES.numberNode(id), "ping", null);
  }

  private static String frame(int id) {
    return "{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"method\":\"ping\"}\n";
  }

  @Test
  void withoutATurnEachFrameIsWrittenAtOnce() throws IOException {
    Writes out = new Writes();
    FrameWriter w = new FrameWriter(out);
    w.write(ping(1));
    assertEquals(List.of(frame(1)), out.writes);
    w.write(ping(2));
    assertEquals(List.of(frame(1), frame(2)), out.writes);
  }

  @Test
  void framesWrittenDuringATurnGoOutInOneWriteWhenItEnds() throws IOException {
    Writes out = new Writes();
    FrameWriter w = new FrameWriter(out);
    Turn turn = Turn.begin();
    try {
      w.write(ping(1));
      w.write(ping(2));
      w.write(ping(3));
      assertEquals(List.of(), out.writes);
      turn.end();
      assertEquals(List.of(frame(1) + frame(2) + frame(3)), out.writes);
      w.write(ping(4));
    } finally {
      turn.close();
    }
    assertEquals(List.of(frame(1) + frame(2) + frame(3), frame(4)), out.writes);
    w.write(ping(5)); // the turn is off: written at once
    assertEquals(frame(5), out.writes.get(2));
  }

  @Test
  void aFrameFromAnotherThreadFlushesWhatATurnBufferedInOrder() throws Exception {
    Writes out = new Writes();
    FrameWriter w = new FrameWriter(out);
    Turn turn = Turn.begin();
    try {
      w.write(ping(1));
      Thread other =
          new Thread(
              () -> {
                try {
                  w.write(ping(2));
                } catch (IOException e) {
                  throw new RuntimeException(e);
                }
              });
      other.start();
      other.join();
      turn.end();
    } finally {
      turn.close();
    }
    assertEquals(frame(1) + frame(2), out.all.toString(StandardCharsets.UTF_8));
  }

  @Test
  void aFailedDeferredFlushIsReportedByTheNextWrite() {
    FrameWriter w =
        new FrameWriter(
            new OutputStream() {
              @Override
              public void write(int b) throws IOException {
                throw new IOException("Broken pipe");
              }
            });
    Turn turn = Turn.begin();
    try {
      assertDoesNotThrowIo(() -> w.write(ping(1)));
      turn.end();
    } finally {
      turn.close();
    }
    assertThrows(IOException.class, () -> w.write(ping(2)));
  }

  private interface IoAction {
    void run() throws IOException;
  }

  private static void assertDoesNotThrowIo(IoAction a) {
    try {
      a.run();
    } catch (IOException e) {
      throw new AssertionError("deferred: the failure belongs to the flush", e);
    }
  }
}
