package dev.tandem.protocol;

import java.util.ArrayList;
import java.util.List;

/**
 * A reader thread's turn: handling every frame that one read of its input returned. Writers that
 * frames are sent to while a turn is on defer their flush to its end, so a burst of frames costs
 * one system call per stream (and one wake-up of the peer reading it) instead of one per frame,
 * while a lone frame is flushed as soon as it has been handled. A thread without a turn flushes at
 * once.
 */
public final class Turn {

  /** Something with buffered frames to push out when the turn ends. */
  public interface Flush {
    void flush();
  }

  private static final ThreadLocal<Turn> CURRENT = new ThreadLocal<>();

  private final List<Flush> pending = new ArrayList<>(4);

  private Turn() {}

  /**
   * Turns on for the calling thread, a reader that calls {@link #end} before it blocks in a read.
   */
  public static Turn begin() {
    Turn turn = new Turn();
    CURRENT.set(turn);
    return turn;
  }

  /**
   * Asks for {@code flush} at the end of the calling thread's turn; false when the thread has no
   * turn, and the caller must flush now.
   */
  public static boolean defer(Flush flush) {
    Turn turn = CURRENT.get();
    if (turn == null) return false;
    List<Flush> p = turn.pending;
    for (int i = 0; i < p.size(); i++) {
      if (p.get(i) == flush) return true;
    }
    p.add(flush);
    return true;
  }

  /** Flushes what this turn deferred; each writer deals with its own failures. */
  public void end() {
    List<Flush> p = pending;
    // A flush may send more (never in practice), so index, not iterate.
    for (int i = 0; i < p.size(); i++) p.get(i).flush();
    p.clear();
  }

  /** Ends the turn and turns it off for this thread: later writes flush at once. */
  public void close() {
    try {
      end();
    } finally {
      CURRENT.remove();
    }
  }
}
