package dev.tandem.protocol;

import java.io.IOException;
import java.io.OutputStream;

/**
 * Writes whole frames to a stream shared by many threads. One lock per stream keeps frames from
 * interleaving; encoding happens outside it so a large result does not hold up small ones.
 *
 * <p>Frames gather in the writer's own buffer and reach the stream in one write: at once for a
 * thread without a {@link Turn}, and at the end of its turn for a reader thread handling a burst of
 * frames, so a burst of answers costs one system call and one wake-up of the peer.
 */
public final class FrameWriter implements Turn.Flush {

  private final OutputStream out;
  private final Object lock = new Object();
  private final FrameBuffer pending = new FrameBuffer(8 * 1024);
  private IOException failed;

  public FrameWriter(OutputStream out) {
    this.out = out;
  }

  /**
   * Sends a frame, flushed now or at the end of the calling thread's turn. Throws if the stream
   * failed, now or at an earlier deferred flush (the frames buffered then are lost).
   */
  public void write(Message message) throws IOException {
    FrameBuffer frame = MessageCodec.encodeInScratch(message);
    synchronized (lock) {
      if (failed != null) throw failed;
      pending.write(frame);
    }
    if (!Turn.defer(this)) flushOrThrow();
  }

  /** Pushes out what is buffered; a failure is kept for the next {@link #write} to report. */
  @Override
  public void flush() {
    try {
      flushOrThrow();
    } catch (IOException e) {
      // kept in `failed`
    }
  }

  private void flushOrThrow() throws IOException {
    synchronized (lock) {
      if (failed != null) throw failed;
      if (pending.isEmpty()) return;
      try {
        pending.writeTo(out);
        out.flush();
      } catch (IOException e) {
        pending.reset();
        failed = e;
        throw e;
      }
    }
  }

  public void close() throws IOException {
    synchronized (lock) {
      try {
        if (failed == null && !pending.isEmpty()) pending.writeTo(out);
      } finally {
        out.close();
      }
    }
  }
}
