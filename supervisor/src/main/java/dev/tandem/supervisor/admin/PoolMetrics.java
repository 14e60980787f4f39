package dev.tandem.supervisor.admin;

import dev.tandem.supervisor.pool.Pool;
import dev.tandem.supervisor.worker.Worker;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Pool gauges, read from the pools at scrape time. */
public final class PoolMetrics {

  private PoolMetrics() {}

  public static void register(MetricsRegistry registry, List<Pool> pools) {
    registry.gauge("tandem_pool_workers", "Worker processes of each pool, by state.", List.of("pool", "state"), () -> {
      Map<List<String>, Long> out = new LinkedHashMap<>();
      for (Pool p : pools) {
        for (Worker.State s : Worker.State.values()) {
          out.put(List.of(p.name(), s.name().toLowerCase()), p.workers().stream().filter(w -> w.state() == s).count());
        }
      }
      return out;
    });
    registry.gauge("tandem_pool_up", "1 when the pool has at least one ready worker, else 0.", List.of("pool"), () -> {
      Map<List<String>, Integer> out = new LinkedHashMap<>();
      for (Pool p : pools) out.put(List.of(p.name()), readyWorkers(p) > 0 ? 1 : 0);
      return out;
    });
    registry.gauge("tandem_pool_calls_in_flight", "Requests sent to the pool's workers and not yet answered.", List.of("pool"), () -> {
      Map<List<String>, Integer> out = new LinkedHashMap<>();
      for (Pool p : pools) out.put(List.of(p.name()), p.inFlight());
      return out;
    });
    // Hooks for the supervision work, which adds the getters:
    //   registry.counterFrom("tandem_pool_restarts_total", "Workers replaced after they died.", List.of("pool"), ... Pool::restarts);
    //   registry.gauge("tandem_pool_queue_depth", "Calls waiting for a free worker.", List.of("pool"), ... Pool::queueDepth);
    //   and the pool's state (running / open / half-open) once Pool has one.
  }

  static long readyWorkers(Pool pool) {
    return pool.workers().stream().filter(w -> w.state() == Worker.State.READY).count();
  }
}
