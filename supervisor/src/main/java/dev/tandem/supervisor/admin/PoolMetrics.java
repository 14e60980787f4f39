package dev.tandem.supervisor.admin;

import dev.tandem.supervisor.pool.Pool;
import dev.tandem.supervisor.pool.PoolState;
import dev.tandem.supervisor.router.Readiness;
import dev.tandem.supervisor.worker.Worker;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Pool gauges, read from the pools at scrape time. */
public final class PoolMetrics {

  private PoolMetrics() {}

  public static void register(MetricsRegistry registry, List<Pool> pools) {
    registry.gauge(
        "tandem_pool_workers",
        "Worker processes of each pool, by state.",
        List.of("pool", "state"),
        () -> {
          Map<List<String>, Long> out = new LinkedHashMap<>();
          for (Pool p : pools) {
            for (Worker.State s : Worker.State.values()) {
              out.put(
                  List.of(p.name(), s.name().toLowerCase()),
                  p.workers().stream().filter(w -> w.state() == s).count());
            }
          }
          return out;
        });
    registry.gauge(
        "tandem_pool_up",
        "1 when the pool has at least one ready worker, else 0.",
        List.of("pool"),
        () -> {
          Map<List<String>, Integer> out = new LinkedHashMap<>();
          for (Pool p : pools) out.put(List.of(p.name()), Readiness.readyWorkers(p) > 0 ? 1 : 0);
          return out;
        });
    registry.gauge(
        "tandem_pool_calls_in_flight",
        "Requests sent to the pool's workers and not yet answered.",
        List.of("pool"),
        () -> {
          Map<List<String>, Integer> out = new LinkedHashMap<>();
          for (Pool p : pools) out.put(List.of(p.name()), p.inFlight());
          return out;
        });
    registry.counterFrom(
        "tandem_pool_restarts_total",
        "Workers replaced after an unplanned exit.",
        List.of("pool"),
        () -> perPool(pools, Pool::restarts));
    registry.counterFrom(
        "tandem_pool_refused_total",
        "Calls refused at once: overloaded, open or stopping.",
        List.of("pool"),
        () -> perPool(pools, Pool::refused));
    registry.gauge(
        "tandem_pool_queue_depth",
        "Calls waiting for a free worker.",
        List.of("pool"),
        () -> perPool(pools, Pool::queueDepth));
    registry.gauge(
        "tandem_pool_state",
        "1 for the state each pool is in (the supervisor's state machine).",
        List.of("pool", "state"),
        () -> {
          Map<List<String>, Integer> out = new LinkedHashMap<>();
          for (Pool p : pools) {
            for (PoolState s : PoolState.values())
              out.put(List.of(p.name(), s.name().toLowerCase()), p.state() == s ? 1 : 0);
          }
          return out;
        });
  }

  private static Map<List<String>, Number> perPool(
      List<Pool> pools, java.util.function.Function<Pool, ? extends Number> value) {
    Map<List<String>, Number> out = new LinkedHashMap<>();
    for (Pool p : pools) out.put(List.of(p.name()), value.apply(p));
    return out;
  }
}
