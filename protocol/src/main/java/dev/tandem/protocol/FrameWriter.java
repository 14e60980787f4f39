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
    write(message, true);
  }

  /**
   * Writes a frame, flushing it only if asked: a writer that knows more frames are queued behind
   * this one lets them share one system call (the stream's buffer flushes itself when full).
   */
  public void write(Message message, boolean flush) throws IOException {
    FrameBuffer frame = MessageCodec.encodeInScratch(message);
    synchronized (lock) {
      out.write(frame.array(), 0, frame.length());
      if (flush) out.flush();
    }
  }

  public void close() throws IOException {
    synchronized (lock) {
      out.close();
    }
  }
}
