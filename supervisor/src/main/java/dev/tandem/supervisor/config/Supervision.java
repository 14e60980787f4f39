package dev.tandem.supervisor.config;

import java.time.Duration;

/**
 * How one pool is supervised: limits, health checks, restart intensity, spares and recycling. Every
 * default serves a pool of ordinary Python tools on a laptop; the reason for each is beside it,
 * because an operator tuning one needs to know what it trades.
 */
public record Supervision(
    int maxConcurrency,
    int queue,
    Duration callTimeout,
    Duration startTimeout,
    Duration pingInterval,
    Duration pingTimeout,
    int maxRestarts,
    Duration restartWindow,
    Duration halfOpenAfter,
    int spare,
    long maxCalls,
    long maxRssMb) {

  /**
   * Calls one worker runs at once. Tools mostly wait on models (I/O), and the Python runtime
   * carries dozens of such calls on its event loop and 32 threads, answering pings on the loop
   * throughout. The limit spreads a burst over the replicas and bounds how many calls one worker's
   * death can hit.
   */
  public static final int DEFAULT_MAX_CONCURRENCY = 64;

  /**
   * Calls that wait when every worker is full. Enough to absorb several agents fanning out at once;
   * past it a caller is better served by an immediate "overloaded" it can act on than by a wait
   * that ends in its own timeout.
   */
  public static final int DEFAULT_QUEUE = 256;

  /**
   * Tools call models, which can take minutes; longer than this is a stuck call, not a slow one.
   */
  public static final Duration DEFAULT_CALL_TIMEOUT = Duration.ofMinutes(5);

  /** Importing a tool module can load a model or a large library; a minute covers most. */
  public static final Duration DEFAULT_START_TIMEOUT = Duration.ofSeconds(60);

  /**
   * A ping every 5 s, answered within 10 s: the worker's event loop answers pings while tools run,
   * so only a stopped, deadlocked or native-code-stuck worker misses one. The generous deadline
   * keeps a busy machine from getting a healthy worker (and its calls) killed.
   */
  public static final Duration DEFAULT_PING_INTERVAL = Duration.ofSeconds(5);

  public static final Duration DEFAULT_PING_TIMEOUT = Duration.ofSeconds(10);

  /**
   * More than 5 unplanned restarts in 30 s opens the pool (systemd's StartLimitBurst is 5): with
   * the backoff doubling from 100 ms, a worker that dies at start reaches it in about 3 s, while a
   * pool losing a worker now and then never does.
   */
  public static final int DEFAULT_MAX_RESTARTS = 5;

  public static final Duration DEFAULT_RESTART_WINDOW = Duration.ofSeconds(30);

  /** An open pool tries one worker again after 30 s: the usual circuit-breaker pause. */
  public static final Duration DEFAULT_HALF_OPEN_AFTER = Duration.ofSeconds(30);

  /** One warm spare: failover takes a pointer swap instead of a Python start. */
  public static final int DEFAULT_SPARE = 1;

  public static Supervision defaults() {
    return new Supervision(
        DEFAULT_MAX_CONCURRENCY,
        DEFAULT_QUEUE,
        DEFAULT_CALL_TIMEOUT,
        DEFAULT_START_TIMEOUT,
        DEFAULT_PING_INTERVAL,
        DEFAULT_PING_TIMEOUT,
        DEFAULT_MAX_RESTARTS,
        DEFAULT_RESTART_WINDOW,
        DEFAULT_HALF_OPEN_AFTER,
        DEFAULT_SPARE,
        0,
        0);
  }
}
