package dev.tandem.supervisor.pool;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.concurrent.ThreadLocalRandom;

/**
 * What a pool does about unplanned worker deaths: the restart intensity of OTP supervisors (more
 * than {@code maxRestarts} in {@code window} and the supervisor gives up, here by opening the
 * pool), an immediate restart after a death that breaks a good run (as OTP does: one crash is news,
 * not a pattern, and every millisecond before the replacement is a call waiting), then the
 * exponential backoff of systemd's {@code RestartSec} steps from the second consecutive death on,
 * with jitter so replicas that died together do not restart together.
 *
 * <p>Not thread-safe: the pool calls it under its lock.
 */
final class RestartPolicy {

  /**
   * The second consecutive restart waits this long: long enough not to spin, short enough not to be
   * noticed. The first does not wait at all.
   */
  static final Duration BACKOFF_MIN = Duration.ofMillis(100);

  /**
   * The wait doubles per consecutive failure up to this: a broken worker costs a start per 10 s.
   */
  static final Duration BACKOFF_MAX = Duration.ofSeconds(10);

  /** Up to this fraction is added at random to each wait. */
  static final double JITTER = 0.5;

  /** A worker that served this long before dying was healthy: the backoff starts over. */
  static final Duration STABLE_AFTER = Duration.ofSeconds(30);

  private final int maxRestarts;
  private final Duration window;
  private final ArrayDeque<Instant> recent = new ArrayDeque<>();
  private int consecutive;

  RestartPolicy(int maxRestarts, Duration window) {
    this.maxRestarts = maxRestarts;
    this.window = window;
  }

  /**
   * Records an unplanned death at {@code now} of a worker that had been up for {@code upFor} (null
   * if it never started). Returns true when this death passes the intensity limit.
   */
  boolean recordDeath(Instant now, Duration upFor) {
    consecutive = upFor != null && upFor.compareTo(STABLE_AFTER) > 0 ? 1 : consecutive + 1;
    recent.addLast(now);
    Instant horizon = now.minus(window);
    while (!recent.isEmpty() && recent.peekFirst().isBefore(horizon)) recent.removeFirst();
    return recent.size() > maxRestarts;
  }

  /** How long to wait before the next start after the deaths recorded so far. */
  Duration backoff() {
    return backoff(consecutive);
  }

  static Duration backoff(int failures) {
    if (failures <= 1) return Duration.ZERO;
    long base = BACKOFF_MIN.toMillis() << Math.min(failures - 2, 16);
    long capped = Math.min(base, BACKOFF_MAX.toMillis());
    long jitter = (long) (capped * JITTER * ThreadLocalRandom.current().nextDouble());
    return Duration.ofMillis(capped + jitter);
  }

  /** Deaths inside the current window. */
  int recentDeaths() {
    return recent.size();
  }

  int maxRestarts() {
    return maxRestarts;
  }

  Duration window() {
    return window;
  }

  /** The pool closed again after being open: its history no longer predicts anything. */
  void reset() {
    recent.clear();
    consecutive = 0;
  }
}
