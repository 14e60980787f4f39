package dev.tandem.supervisor.router;

import dev.tandem.supervisor.pool.Pool;
import dev.tandem.supervisor.worker.Worker;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code /readyz}: ready when the tools are known and every pool has a ready worker, since a call
 * to a pool without one fails. A load balancer or kubelet stops sending traffic on 503; the body
 * names each pool that is not ready, for the person reading the probe's output.
 */
public final class Readiness {

  public record Verdict(boolean ready, String text) {}

  private Readiness() {}

  public static Verdict of(Router router) {
    var catalog = router.catalog();
    if (!catalog.isDone()) return new Verdict(false, "not ready: the pools are starting\n");
    if (catalog.isCompletedExceptionally()) {
      String why;
      try {
        catalog.join();
        why = "?";
      } catch (RuntimeException e) {
        why = e.getCause() == null ? e.getMessage() : e.getCause().getMessage();
      }
      return new Verdict(false, "not ready: tandem could not start: " + why + "\n");
    }
    List<String> notReady = new ArrayList<>();
    for (Pool p : router.pools()) {
      if (readyWorkers(p) == 0) {
        notReady.add(
            "pool \""
                + p.name()
                + "\" has no ready worker ("
                + p.workers().size()
                + " starting or stopping)");
      }
    }
    if (notReady.isEmpty()) return new Verdict(true, "ready\n");
    return new Verdict(false, "not ready: " + String.join("; ", notReady) + "\n");
  }

  /** Workers of {@code pool} that can take a call now, in any role (a ready spare counts). */
  public static long readyWorkers(Pool pool) {
    return pool.workers().stream().filter(w -> w.state() == Worker.State.READY).count();
  }
}
