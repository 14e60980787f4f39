package dev.tandem.supervisor.pool;

/** No worker of the pool can take a call now; the message says why and what happens next. */
public final class PoolUnavailable extends RuntimeException {
  public PoolUnavailable(String message) {
    super(message);
  }
}
