package dev.tandem.supervisor.transport;

import dev.tandem.protocol.FrameBuffer;
import dev.tandem.protocol.Message;
import dev.tandem.protocol.MessageCodec;
import dev.tandem.protocol.Turn;
import dev.tandem.supervisor.log.Log;
import java.io.IOException;
import java.io.OutputStream;

/**
 * The daemon's stdout to a stdio host, written by a thread of its own ({@code stdio-out}), the only
 * one that ever blocks on a host that stops reading. Answers arrive on the threads that read
 * workers' stdout; if those blocked on the host, a worker's next frames (its ping answers, the
 * answers of other hosts' calls) would stay unread, the worker would stop reading its stdin in
 * turn, and the health check would kill a healthy worker as hung.
 *
 * <p>Backpressure goes to admission instead: while more than {@link #HIGH_WATER} bytes wait for the
 * host, the transport's reader stops reading the host's requests ({@link #awaitRoom}) until they
 * drain below {@link #LOW_WATER}, so a host that does not read does not get more work started for
 * it. What waits is bounded by the calls already admitted (their answers are never dropped);
 * notifications (progress, log lines), which a tool could send without end, are dropped and counted
 * past {@link #NOTIFICATION_CAP}.
 *
 * <p>Frames gather in a buffer and the thread is woken once per sender's {@link Turn} (at once for
 * a thread without one), so a burst of answers still costs one write.
 */
final class StdoutWriter implements Turn.Flush {

  /** Bytes waiting for the host above which no more host requests are read. */
  static final int HIGH_WATER = 1 << 20;

  /** Reading resumes once what waits is back under this. */
  static final int LOW_WATER = 256 << 10;

  /** Past this, notifications are dropped: only what answers a request must get through. */
  static final int NOTIFICATION_CAP = 16 << 20;

  private final OutputStream out;
  private final Object lock = new Object();
  private FrameBuffer pending = new FrameBuffer(8 * 1024);
  private FrameBuffer batch = new FrameBuffer(8 * 1024);

  /** Bytes of the batch the thread is writing now (without the lock). */
  private int writing;

  /** The thread was told there is something to write. */
  private boolean signalled;

  private boolean closing;
  private boolean closed;
  private IOException failed;
  private long droppedNotifications;

  StdoutWriter(OutputStream out) {
    this.out = out;
    Thread t = new Thread(this::run, "stdio-out");
    t.setDaemon(true);
    t.start();
  }

  /**
   * Queues a frame from any thread; it leaves at the end of the sender's turn. Never blocks on the
   * host.
   */
  void write(Message message) throws IOException {
    FrameBuffer frame = MessageCodec.encodeInScratch(message);
    synchronized (lock) {
      if (failed != null) throw failed;
      if (closed) throw new IOException("stdout is closed");
      if (message instanceof Message.Notification
          && pending.length() + writing > NOTIFICATION_CAP) {
        if (droppedNotifications++ % 1000 == 0) {
          Log.warn(
              "stdio: the host has not read "
                  + ((pending.length() + writing) >> 20)
                  + " MiB of answers; dropping "
                  + "notifications (progress, log lines) until it does ("
                  + droppedNotifications
                  + " so far)");
        }
        return;
      }
      pending.write(frame);
    }
    if (!Turn.defer(this)) flush();
  }

  /** Wakes the writer thread for what gathered; called at the end of a sender's turn. */
  @Override
  public void flush() {
    synchronized (lock) {
      if (signalled || pending.isEmpty()) return;
      signalled = true;
      lock.notifyAll();
    }
  }

  /**
   * Blocks the calling reader while the host has more than {@link #HIGH_WATER} bytes unread, until
   * they drain below {@link #LOW_WATER} or the stream fails. Returns at once otherwise.
   */
  void awaitRoom() throws InterruptedException {
    synchronized (lock) {
      if (pending.length() + writing <= HIGH_WATER) return;
      Log.debug(
          "stdio: the host is not reading; pausing its requests until "
              + ((pending.length() + writing) >> 10)
              + " KiB of answers drain");
      while (failed == null && !closed && pending.length() + writing > LOW_WATER) lock.wait();
    }
  }

  /** Bytes queued or being written that the host has not taken yet. */
  int unwritten() {
    synchronized (lock) {
      return pending.length() + writing;
    }
  }

  /** Writes what is queued, waiting at most {@code millis}, and closes the stream. */
  void close(long millis) {
    long until = System.currentTimeMillis() + millis;
    synchronized (lock) {
      closing = true;
      lock.notifyAll();
      try {
        long left;
        while (!closed && (left = until - System.currentTimeMillis()) > 0) lock.wait(left);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private void run() {
    while (true) {
      FrameBuffer next;
      synchronized (lock) {
        try {
          // Woken at the end of a sender's turn, not per frame: a burst leaves in one write.
          while (!closing && (!signalled || pending.isEmpty())) lock.wait();
        } catch (InterruptedException e) {
          return;
        }
        if (pending.isEmpty()) {
          closeStream();
          return;
        }
        next = pending;
        pending = batch;
        batch = next;
        writing = next.length();
        signalled = false;
      }
      IOException error = null;
      try {
        next.writeTo(out);
        out.flush();
      } catch (IOException e) {
        error = e;
      }
      synchronized (lock) {
        next.reset();
        writing = 0;
        if (error != null) {
          // The host closed our stdout: nothing can reach it any more; its reader sees EOF next.
          failed = error;
          pending.reset();
          Log.debug("stdio: could not write to the host: " + error.getMessage());
        }
        lock.notifyAll();
        if (failed != null) {
          closed = true;
          return;
        }
      }
    }
  }

  private void closeStream() {
    try {
      out.close();
    } catch (IOException e) {
      // the host is gone
    }
    closed = true;
    lock.notifyAll();
  }
}
