package dev.tandem.supervisor.pool;

/**
 * The states of a pool, in the order a pool usually meets them. The transitions are made by the
 * pool's events ({@link WorkerEvents}) and rooms ({@link Circuit}, {@link FirstStart}, {@link
 * Pool#shutdown}); this is their vocabulary.
 *
 * <pre>
 * STARTING --every replica ready--> SERVING <--replacement ready-- DEGRADED
 * SERVING --a worker died, replacement starting--> DEGRADED
 * SERVING|DEGRADED --more than max_restarts in restart_window--> OPEN
 * OPEN --half_open_after--> HALF_OPEN --a call answered, or the probe survived restart_window--> SERVING
 * HALF_OPEN --the probe died--> OPEN
 * any --shutdown--> STOPPING
 * </pre>
 */
public enum PoolState {
  /** Its first workers are starting; the daemon does not serve its tools yet. */
  STARTING,
  /** Every replica is ready. */
  SERVING,
  /** Serving with fewer ready replicas than configured, while replacements start. */
  DEGRADED,
  /** Restarting too often: calls fail at once with the cause until the pool is tried again. */
  OPEN,
  /** Trying again with one worker and one call at a time; the first success closes the pool. */
  HALF_OPEN,
  /** The daemon is shutting down. */
  STOPPING;

  public String label() {
    return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
  }
}
