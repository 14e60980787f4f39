package dev.tandem.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class FrameReaderTest {

  private static FrameReader reader(String wire, int max) {
    return new FrameReader(new ByteArrayInputStream(wire.getBytes(StandardCharsets.UTF_8)), max);
  }

  @Test
  void oversizedFrameIsReportedOnceAndTheNextFrameStillDecodes() throws IOException {
    String big = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"" + "x".repeat(500) + "\"}";
    FrameReader r = reader(big + "\n{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"ping\"}\n", 100);
    var invalid = assertInstanceOf(Decoded.Invalid.class, r.next());
    assertEquals(RpcError.INVALID_REQUEST, invalid.code());
    var ping = assertInstanceOf(Message.Request.class, r.next());
    assertEquals(2, ping.id().asInt());
    assertNull(r.next());
  }

  @Test
  void frameThatNeverEndsCostsABoundedBuffer() throws IOException {
    // 64 MiB of 'x' without a newline: the reader must report it without holding it.
    long total = 64L * 1024 * 1024;
    InputStream endless =
        new InputStream() {
          long sent;

          @Override
          public int read() {
            return sent++ < total ? 'x' : -1;
          }

          @Override
          public int read(byte[] b, int off, int len) {
            if (sent >= total) return -1;
            int n = (int) Math.min(len, total - sent);
            java.util.Arrays.fill(b, off, off + n, (byte) 'x');
            sent += n;
            return n;
          }
        };
    FrameReader r = new FrameReader(endless, 1024);
    assertInstanceOf(Decoded.Invalid.class, r.next());
    assertNull(r.next(), "the rest of the endless frame is skipped, then end of stream");
  }

  @Test
  void crlfFramesAndAFinalFrameWithoutNewlineDecode() throws IOException {
    FrameReader r =
        reader(
            "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}\r\n"
                + "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}",
            1024);
    assertInstanceOf(Message.Request.class, r.next());
    assertInstanceOf(Message.Notification.class, r.next());
    assertNull(r.next());
  }

  @Test
  void encodeThenDecodeRoundTripsEveryKind() {
    var params = Json.object().put("name", "echo");
    Message[] messages = {
      new Message.Request(Json.NODES.numberNode(5), "tools/call", params),
      new Message.Notification("notifications/initialized", null),
      new Message.Result(Json.NODES.textNode("a"), Json.object().put("ok", true)),
      new Message.Failure(Json.NODES.numberNode(9), RpcError.methodNotFound("nope")),
    };
    for (Message m : messages) {
      byte[] frame = MessageCodec.encode(m);
      assertEquals('\n', frame[frame.length - 1]);
      assertEquals(m, MessageCodec.decode(frame));
    }
  }

  @Test
  void framesSplitAcrossReadsAndWholeInOneReadDecodeAlike() throws IOException {
    String a = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}";
    String b = "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/list\",\"params\":{}}";
    byte[] wire = (a + "\r\n" + b + "\n" + a + "\n").getBytes(StandardCharsets.UTF_8);
    // One byte per read: every frame is assembled from pieces; whole: every frame is in one chunk.
    InputStream trickle =
        new InputStream() {
          int i;

          @Override
          public int read() {
            return i < wire.length ? wire[i++] & 0xff : -1;
          }

          @Override
          public int read(byte[] buf, int off, int len) {
            if (i >= wire.length) return -1;
            buf[off] = wire[i++];
            return 1;
          }
        };
    for (FrameReader r :
        new FrameReader[] {
          new FrameReader(trickle, 1024), new FrameReader(new ByteArrayInputStream(wire), 1024)
        }) {
      assertEquals(MessageCodec.decode(a.getBytes(StandardCharsets.UTF_8)), r.next());
      assertEquals(MessageCodec.decode(b.getBytes(StandardCharsets.UTF_8)), r.next());
      assertEquals(MessageCodec.decode(a.getBytes(StandardCharsets.UTF_8)), r.next());
      assertNull(r.next());
    }
  }

  @Test
  void aMessageGluedBehindAPartialLineIsRecoveredWhenAsked() throws Exception {
    byte[] wire =
        "{\"js{\"jsonrpc\":\"2.0\",\"id\":3,\"result\":{}}\n"
            .getBytes(java.nio.charset.StandardCharsets.UTF_8);
    FrameReader recovering = new FrameReader(new java.io.ByteArrayInputStream(wire), 1024, true);
    Decoded garbage = recovering.next();
    assertTrue(garbage instanceof Decoded.Invalid, String.valueOf(garbage));
    assertTrue(recovering.hasBufferedFrame());
    Decoded answer = recovering.next();
    assertTrue(answer instanceof Message.Result r && r.id().asInt() == 3, String.valueOf(answer));
    assertNull(recovering.next());

    FrameReader strict = new FrameReader(new java.io.ByteArrayInputStream(wire), 1024);
    assertTrue(strict.next() instanceof Decoded.Invalid);
    assertNull(strict.next());
  }
}
