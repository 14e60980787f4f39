package dev.tandem.supervisor.pool;

import java.util.List;

/** A pool could not bring up its first worker: the daemon cannot serve what was configured. */
public final class PoolStartFailed extends RuntimeException {

  private final List<String> stderrTail;

  public PoolStartFailed(String message, List<String> stderrTail, Throwable cause) {
    super(message, cause);
    this.stderrTail = List.copyOf(stderrTail);
  }

  public List<String> stderrTail() {
    return stderrTail;
  }
}
