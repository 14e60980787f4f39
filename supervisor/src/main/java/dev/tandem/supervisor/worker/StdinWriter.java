package dev.tandem.supervisor.worker;

import dev.tandem.protocol.FrameBuffer;
import dev.tandem.protocol.Turn;
import dev.tandem.supervisor.process.Pipes;
import java.io.IOException;
import java.io.OutputStream;
import java.util.function.Consumer;

/**
 * Writes frames to a worker's stdin so that a worker that stops reading (SIGSTOP, a deadlock) never
 * blocks the thread that sends: a session's reader, a supervisor timer, another worker's stdout
 * reader, an HTTP event loop.
 *
 * <p>Frames gather in a buffer and are flushed once per sender's {@link Turn} (at once for a thread
 * without one). Whoever writes holds the write token ({@link #writing}); the lock only guards the
 * buffers and the token, never a system call, so many senders contend for an append and not for the
 * pipe. A sender that finds the token taken just leaves its frames: the holder loops until nothing
 * is pending. A sender takes the token and writes on its own thread when the write cannot block:
 * nothing is handed to the writer thread, and the bytes the worker may not have read yet, these
 * included, fit in the smallest buffer a pipe has. What the worker has read is known from its
 * answers: a worker that answers a request has read its stdin up to the end of that request's frame
 * ({@link #readThrough}). Otherwise the frames are handed to the writer thread, the only one that
 * may block, which writes everything that gathered meanwhile in one go. A sequential call so costs
 * no thread hand-off, and a burst still costs one write. Frames go out in the order they were
 * appended, since only the token's holder writes and it takes the whole buffer each time.
 */
final class StdinWriter implements Turn.Flush {

  private final int inlineLimit;
  private final Consumer<IOException> onBroken;

  /** The pipe, once the process exists; frames sent before then wait in {@link #pending}. */
  private OutputStream out;

  /** Frames sent and not yet taken by the token's holder. */
  private FrameBuffer pending = new FrameBuffer(8 * 1024);

  /** The holder's buffer, swapped with {@link #pending} when it takes a batch. */
  private FrameBuffer batch = new FrameBuffer(8 * 1024);

  /** Everything sent so far, in bytes: the stream offset where the last frame ends. */
  private long written;

  /** The offset the worker is known to have read up to; written only by the stdout reader. */
  private volatile long readThrough;

  /** The write token: a sender or the writer thread is writing a batch (without the lock). */
  private boolean writing;

  /** {@link #pending} is the writer thread's to write, once the token is free. */
  private boolean handedOver;

  /** close() was asked for: the thread closes the pipe after what is pending. */
  private boolean closing;

  /** A write failed or the pipe is closed: frames are dropped. */
  private boolean broken;

  StdinWriter(Consumer<IOException> onBroken) {
    this(Pipes.SURE_TO_TAKE, onBroken);
  }

  StdinWriter(int inlineLimit, Consumer<IOException> onBroken) {
    this.inlineLimit = inlineLimit;
    this.onBroken = onBroken;
  }

  /** The process's stdin is there; {@link #run} is the writer thread's body from now on. */
  synchronized void attach(OutputStream pipe) {
    this.out = pipe;
  }

  /**
   * Sends one frame (with its newline) after every frame sent before, unless the pipe is closed. A
   * request's {@code call} keeps the offset where its frame ends, which {@link #readThrough} takes
   * once the worker answers it.
   */
  void send(FrameBuffer frame, WorkerCall call) {
    synchronized (this) {
      if (closing || broken) return;
      pending.write(frame);
      written += frame.length();
      // Before any write: the answer may come back before this method returns.
      if (call != null) call.sentThrough = written;
    }
    if (!Turn.defer(this)) flush();
  }

  @Override
  public void flush() {
    FrameBuffer mine;
    synchronized (this) {
      if (pending.isEmpty() || broken || writing || handedOver) return;
      mine = takeInline();
      if (mine == null) return;
    }
    drain(mine);
  }

  /**
   * Under the lock: the pending frames with the token, when they may be written without blocking;
   * else hands them to the writer thread and answers null.
   */
  private FrameBuffer takeInline() {
    if (out != null && !closing && written - readThrough <= inlineLimit) {
      // Every byte before `pending` is in the pipe already (only the holder writes), so after this
      // write the pipe holds at most written - readThrough bytes.
      writing = true;
      return swap();
    }
    handedOver = true;
    notify();
    return null;
  }

  private FrameBuffer swap() {
    FrameBuffer mine = pending;
    pending = batch;
    batch = mine;
    return mine;
  }

  /**
   * A sender's writes with the token: its batch, then whatever others appended meanwhile, until
   * nothing is pending or a write could block (then the writer thread takes over).
   */
  private void drain(FrameBuffer mine) {
    while (true) {
      IOException failed = null;
      try {
        mine.writeTo(out);
        out.flush();
      } catch (IOException e) {
        mine.reset();
        failed = e;
      }
      synchronized (this) {
        if (failed != null) {
          broken = true;
          pending.reset();
        } else if (!pending.isEmpty() && !broken && !handedOver) {
          mine = takeInline();
          if (mine != null) continue;
        }
        writing = false;
        // The writer thread waits for the token only to close or take a hand-off: waking it for
        // nothing would cost a switch per call.
        if (handedOver || closing || broken) notify();
      }
      if (failed != null) onBroken.accept(failed);
      return;
    }
  }

  /** The worker answered a frame ending at {@code offset}: it has read everything before it. */
  void readThrough(long offset) {
    if (offset > readThrough) readThrough = offset;
  }

  /**
   * Closes the pipe after the frames already sent (the worker's cue to exit), or at once dropping
   * them; frames sent afterwards are dropped.
   */
  synchronized void close(boolean dropPending) {
    if (dropPending) pending.reset();
    closing = true;
    notify();
  }

  /**
   * The writer thread's body, started after {@link #attach}: returns once the pipe is closed or
   * broken.
   */
  void run() {
    while (true) {
      boolean close;
      FrameBuffer mine;
      synchronized (this) {
        try {
          while (!broken && (writing || !(handedOver || closing))) wait();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
        if (broken) return;
        mine = swap();
        handedOver = false;
        close = closing;
        writing = true;
      }
      IOException failed = null;
      try {
        mine.writeTo(out);
        if (close) out.close();
        else out.flush();
      } catch (IOException e) {
        mine.reset();
        failed = e;
      }
      synchronized (this) {
        writing = false;
        if (failed != null || close) {
          broken = true;
          pending.reset();
        } else if (!pending.isEmpty()) {
          // Sent while this thread wrote: the senders left them to the holder.
          handedOver = true;
        }
      }
      if (failed != null) {
        onBroken.accept(failed);
        return;
      }
      if (close) return;
    }
  }
}
