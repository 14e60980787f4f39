package dev.tandem.supervisor.admin;

import dev.tandem.supervisor.pool.Pool;
import dev.tandem.supervisor.router.Router;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code /readyz}: ready when the tools are known and every pool has a ready worker, since a call
 * to a pool without one fails. A load balancer or kubelet stops sending traffic on 503; the body
 * names each pool that is not ready, for the person reading the probe's output.
 */
final class Readiness {

  record Verdict(boolean ready, String text) {}

  private Readiness() {}

  static Verdict of(Router router) {
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
      long ready = PoolMetrics.readyWorkers(p);
      if (ready == 0) {
        notReady.add("pool \"" + p.name() + "\" has no ready worker (" + p.workers().size() + " starting or stopping)");
      }
    }
    if (notReady.isEmpty()) return new Verdict(true, "ready\n");
    return new Verdict(false, "not ready: " + String.join("; ", notReady) + "\n");
  }
}
