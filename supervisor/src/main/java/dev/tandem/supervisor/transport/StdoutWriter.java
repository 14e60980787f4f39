package dev.tandem.supervisor.transport;

import dev.tandem.protocol.FrameBuffer;
import dev.tandem.protocol.Message;
import dev.tandem.protocol.MessageCodec;
import dev.tandem.protocol.Turn;
import dev.tandem.supervisor.log.Log;
import dev.tandem.supervisor.process.Pipes;
import java.io.IOException;
import java.io.OutputStream;

/**
 * The daemon's stdout to a stdio host. Only one thread at a time writes it (the holder of the write
 * token), and only its own thread ({@code stdio-out}) ever blocks on a host that stops reading.
 * Answers arrive on the threads that read workers' stdout; if those blocked on the host, a worker's
 * next frames (its ping answers, the answers of other hosts' calls) would stay unread, the worker
 * would stop reading its stdin in turn, and the health check would kill a healthy worker as hung.
 *
 * <p>Frames gather in a buffer and go out once per sender's {@link Turn} (at once for a thread
 * without one), so a burst of answers costs one write. The sender writes them itself when that
 * cannot block: no one else holds the token or was handed frames, stdout is a pipe the host has
 * read empty ({@link HostPipe}) and the frames fit what an empty pipe takes. A sequential call so
 * costs no wake-up of another thread. Otherwise the frames are handed to the thread. A sender that
 * finds the token taken leaves its frames: the holder writes them before it lets go, so they keep
 * their order. The lock guards the buffers and the token, never a write.
 *
 * <p>Backpressure goes to admission instead: while more than {@link #HIGH_WATER} bytes wait for the
 * host, the transport's reader stops reading the host's requests ({@link #awaitRoom}) until they
 * drain below {@link #LOW_WATER}, so a host that does not read does not get more work started for
 * it. What waits is bounded by the calls already admitted (their answers are never dropped);
 * notifications (progress, log lines), which a tool could send without end, are dropped and counted
 * past {@link #NOTIFICATION_CAP}.
 */
final class StdoutWriter implements Turn.Flush {

  /** Bytes waiting for the host above which no more host requests are read. */
  static final int HIGH_WATER = 1 << 20;

  /** Reading resumes once what waits is back under this. */
  static final int LOW_WATER = 256 << 10;

  /** Past this, notifications are dropped: only what answers a request must get through. */
  static final int NOTIFICATION_CAP = 16 << 20;

  private final OutputStream out;

  /** The host's unread bytes when stdout is a pipe; null when unknown (no inline writes). */
  private final HostPipe.Probe pipe;

  private final Object lock = new Object();
  private FrameBuffer pending = new FrameBuffer(8 * 1024);
  private FrameBuffer batch = new FrameBuffer(8 * 1024);

  /** Bytes of the batch the token's holder is writing now (without the lock). */
  private int writing;

  /** The write token: a sender or the thread is writing a batch. */
  private boolean holding;

  /** The thread was told there is something to write. */
  private boolean signalled;

  /** Readers waiting in {@link #awaitRoom}. */
  private int roomWaiters;

  private boolean closing;
  private boolean closed;
  private IOException failed;
  private long droppedNotifications;

  /** A writer whose every write goes through its thread: for a stream that is not a known pipe. */
  StdoutWriter(OutputStream out) {
    this(out, null);
  }

  /** {@code pipe} counts the bytes of {@code out} the host has not read; null: unknown. */
  StdoutWriter(OutputStream out, HostPipe.Probe pipe) {
    this.out = out;
    this.pipe = pipe;
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

  /**
   * Writes what gathered on the calling thread when that cannot block, else wakes the writer
   * thread; called at the end of a sender's turn.
   */
  @Override
  public void flush() {
    FrameBuffer mine;
    synchronized (lock) {
      if (holding || signalled || pending.isEmpty() || failed != null || closed) return;
      mine = takeInline();
      if (mine == null) return;
    }
    while (mine != null) {
      IOException error = null;
      try {
        mine.writeTo(out);
        out.flush();
      } catch (IOException e) {
        error = e;
      }
      synchronized (lock) {
        mine = wrote(error) ? null : (!signalled && !pending.isEmpty() ? takeInline() : null);
        if (mine == null) {
          holding = false;
          // Only who waits for the token or for room: waking the thread for nothing costs a switch.
          if (signalled || closing || failed != null || roomWaiters > 0) lock.notifyAll();
        }
      }
    }
  }

  /**
   * Under the lock: the pending frames with the token when writing them cannot block; else hands
   * them to the thread and answers null.
   */
  private FrameBuffer takeInline() {
    // Only the holder writes, so the pipe cannot fill between this look and the write.
    if (pipe != null && !closing && pending.length() <= Pipes.SURE_TO_TAKE && pipe.unread() == 0) {
      holding = true;
      return swap();
    }
    signalled = true;
    lock.notifyAll();
    return null;
  }

  private FrameBuffer swap() {
    FrameBuffer next = pending;
    pending = batch;
    batch = next;
    writing = next.length();
    return next;
  }

  /**
   * Under the lock, after the holder's write: records its outcome; true when the stream failed (the
   * host closed our stdout: nothing can reach it any more; its reader sees EOF next).
   */
  private boolean wrote(IOException error) {
    batch.reset();
    writing = 0;
    if (error == null) return false;
    if (failed == null) {
      failed = error;
      Log.debug("stdio: could not write to the host: " + error.getMessage());
    }
    pending.reset();
    return true;
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
      roomWaiters++;
      try {
        while (failed == null && !closed && pending.length() + writing > LOW_WATER) lock.wait();
      } finally {
        roomWaiters--;
      }
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
          // Woken at the end of a sender's turn, not per frame: a burst leaves in one write. A
          // sender writing inline holds the token: close and hand-offs wait for it.
          while (failed == null && (holding || (!closing && (!signalled || pending.isEmpty())))) {
            lock.wait();
          }
        } catch (InterruptedException e) {
          return;
        }
        if (failed != null) {
          closed = true;
          lock.notifyAll();
          return;
        }
        if (pending.isEmpty()) {
          closeStream();
          return;
        }
        next = swap();
        holding = true;
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
        holding = false;
        // Frames sent meanwhile were left to the holder: this thread takes them next.
        if (!wrote(error) && !pending.isEmpty()) signalled = true;
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
