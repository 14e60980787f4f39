package dev.tandem.supervisor.pool;

import dev.tandem.protocol.Failures;
import dev.tandem.supervisor.config.ServerConfig;
import dev.tandem.supervisor.config.TraceConfig;
import dev.tandem.supervisor.pool.Replica.Role;
import dev.tandem.supervisor.worker.WorkerLink;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * Starting one worker in a role: its id, its recycling point, its command, and its readiness and
 * exit wired to the pool's {@link WorkerEvents}. Workers come from a {@link WorkerFactory}, so the
 * pool runs against fakes in {@code PoolTest}.
 */
final class Launching {

  /**
   * max_calls is stretched by up to this fraction per worker (gunicorn's max_requests_jitter), so
   * replicas started together are not recycled together.
   */
  static final double RECYCLE_JITTER = 0.1;

  private final PoolCore pool;
  private final WorkerFactory workers;
  private final ServerConfig server;
  private final TraceConfig.Traces traces;

  // Guarded by pool.lock.
  private int nextId = 1;

  Launching(PoolCore pool, WorkerFactory workers, ServerConfig server, TraceConfig.Traces traces) {
    this.pool = pool;
    this.workers = workers;
    this.server = server;
    this.traces = traces;
  }

  /**
   * Starts a worker in a role, on the code as it is on disk now; its readiness and its end come
   * back as events. Under the lock.
   */
  Replica launch(Role role, int slot, int ofGeneration) {
    int id = nextId++;
    long maxCalls = pool.limits.maxCalls();
    long recycleAfter =
        maxCalls == 0
            ? 0
            : maxCalls
                + (long) (maxCalls * RECYCLE_JITTER * ThreadLocalRandom.current().nextDouble());
    var config = pool.config;
    WorkerLink worker =
        workers.create(
            WorkerCommand.spec(
                config, server, traces, config.isPython() ? pool.python.executable() : null, id),
            pool.events);
    Replica r = new Replica(worker, role, slot, recycleAfter, ofGeneration);
    pool.replicas.add(r);
    r.starting =
        worker.start().orTimeout(pool.limits.startTimeout().toMillis(), TimeUnit.MILLISECONDS);
    r.starting.whenComplete(
        (w, failure) -> {
          if (failure == null) pool.events.ready(r);
          else pool.events.startFailed(r, Failures.cause(failure));
        });
    return r;
  }

  Replica launch(Role role, int slot) {
    return launch(role, slot, pool.generation);
  }
}
