package dev.tandem.protocol;

import java.io.IOException;
import java.io.OutputStream;

/**
 * Writes whole frames to a stream shared by many threads. One lock per stream keeps frames from
 * interleaving; encoding happens outside it so a large result does not hold up small ones.
 */
public final class FrameWriter {

  private final OutputStream out;
  private final Object lock = new Object();

  public FrameWriter(OutputStream out) {
    this.out = out;
  }

  public void write(Message message) throws IOException {
    byte[] frame = MessageCodec.encode(message);
    synchronized (lock) {
      out.write(frame);
      out.flush();
    }
  }

  public void close() throws IOException {
    synchronized (lock) {
      out.close();
    }
  }
}
