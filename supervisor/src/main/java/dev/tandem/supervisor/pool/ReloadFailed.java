package dev.tandem.supervisor.pool;

import java.util.List;

/**
 * A reload that did not happen: the new code's first worker did not start (most often a module that
 * no longer imports), or the pool stopped or opened meanwhile. The pool's old workers were not
 * touched and keep serving. {@code module} is the module that failed to import, if that was the
 * cause; {@code traceback} the last lines of that worker's stderr.
 */
public final class ReloadFailed extends RuntimeException {

  private final String pool;
  private final String module;
  private final List<String> traceback;
  private final List<Long> kept;

  public ReloadFailed(
      String pool, String message, String module, List<String> traceback, List<Long> kept) {
    super(message);
    this.pool = pool;
    this.module = module;
    this.traceback = List.copyOf(traceback);
    this.kept = List.copyOf(kept);
  }

  public String pool() {
    return pool;
  }

  /** The module that failed to import, or null when the cause was something else. */
  public String module() {
    return module;
  }

  public List<String> traceback() {
    return traceback;
  }

  /** The pids of the workers that keep serving the old code. */
  public List<Long> kept() {
    return kept;
  }
}
