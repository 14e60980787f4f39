package dev.tandem.supervisor.pool;

import dev.tandem.supervisor.worker.ExitStatus;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * One reload of a pool in progress: what the pool had before, the probe started on the edited code,
 * and, once the probe answered, what the new code serves. The transitions themselves are the pool's
 * ({@code Pool.reload} and the events it reacts to); this holds their bookkeeping, and turns a
 * probe that did not start into an error a person can act on. Guarded by the pool's lock.
 */
final class Reload {

  /** Enough of a traceback to show the file, the line, the caret and the error. */
  static final int TRACEBACK_LINES = ImportFailure.TRACEBACK_LINES;

  final int generation;
  final Offer before;
  final List<Long> oldPids;
  final Instant started = Instant.now();
  final CompletableFuture<Reloaded> result = new CompletableFuture<>();
  Replica probe;

  /** Set once the probe answered and listed its offer: from then on old workers are replaced. */
  Offer next;

  Reload(int generation, Offer before, List<Long> oldPids) {
    this.generation = generation;
    this.before = before;
    this.oldPids = List.copyOf(oldPids);
  }

  boolean committed() {
    return next != null;
  }

  /**
   * The probe's process ended before it was ready. A module that failed to import is named, with
   * the traceback's last lines (for a syntax error: the file and line, the code, the caret, the
   * error), because that is what the person who just saved the file needs to see.
   */
  ReloadFailed probeDied(
      String pool,
      List<String> modules,
      String how,
      ExitStatus status,
      List<String> stderr,
      List<Long> kept) {
    ImportFailure failed = ImportFailure.in(stderr);
    if (failed != null && status != null && status.code() == ExitStatus.IMPORT_FAILED) {
      return new ReloadFailed(
          pool,
          "pool \""
              + pool
              + "\" was not reloaded: module '"
              + failed.module()
              + "' failed to import in a"
              + " new worker ("
              + failed.error()
              + "); the old workers"
              + pids(kept)
              + " keep serving the previous code."
              + " The traceback ends with:\n"
              + String.join("\n", failed.tail()),
          failed.module(),
          failed.tail(),
          kept);
    }
    List<String> tail = stderr.subList(Math.max(0, stderr.size() - TRACEBACK_LINES), stderr.size());
    return new ReloadFailed(
        pool,
        "pool \""
            + pool
            + "\" was not reloaded: the first worker on the new code of modules "
            + modules
            + " "
            + how
            + "; the old workers"
            + pids(kept)
            + " keep serving the previous code"
            + (tail.isEmpty() ? "" : ". Its stderr ends with:\n" + String.join("\n", tail)),
        null,
        tail,
        kept);
  }

  ReloadFailed interrupted(String pool, String why, List<Long> kept) {
    return new ReloadFailed(
        pool, "pool \"" + pool + "\" was not reloaded: " + why, null, List.of(), kept);
  }

  private static String pids(List<Long> pids) {
    if (pids.isEmpty()) return "";
    List<String> shown = new ArrayList<>();
    for (long pid : pids) shown.add(Long.toString(pid));
    return " (pid " + String.join(", ", shown) + ")";
  }
}
