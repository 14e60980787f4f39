package dev.tandem.supervisor.pool;

import dev.tandem.protocol.Failures;
import dev.tandem.supervisor.config.PoolConfig;
import dev.tandem.supervisor.config.Supervision;
import dev.tandem.supervisor.log.Log;
import dev.tandem.supervisor.pool.Replica.Role;
import dev.tandem.supervisor.worker.ExitStatus;
import dev.tandem.supervisor.worker.Spawner;
import dev.tandem.supervisor.worker.WorkerDied;
import dev.tandem.supervisor.worker.WorkerLink;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeoutException;

/**
 * A pool's first start: every replica at once, done when all are ready and the tools are known, or
 * failed with the first worker that could not start (with its stderr, which holds the traceback): a
 * pool that cannot start at all is a configuration error, not something to retry, so its error says
 * what to fix. Spares start once the pool serves, so they do not slow it.
 */
final class FirstStart {

  private FirstStart() {}

  static CompletableFuture<Void> of(PoolCore pool) {
    PythonCommand python = pool.python;
    PoolConfig config = pool.config;
    Supervision limits = pool.limits;
    List<String> withheld = WorkerEnvironment.withheld(System.getenv(), config.passEnv());
    if (!withheld.isEmpty()) {
      // Names only, once: what a tool cannot read, and how to let it.
      Log.info(
          "pool="
              + pool.name()
              + " workers do not inherit "
              + String.join(", ", withheld)
              + " from the daemon's environment; name the ones its tools need in pass_env, or set them in env");
    }
    List<CompletableFuture<? extends WorkerLink>> starting = new ArrayList<>();
    synchronized (pool.lock) {
      for (int slot = 1; slot <= config.replicas(); slot++)
        starting.add(pool.launching.launch(Role.SERVING, slot, pool.generation).starting);
    }
    return CompletableFuture.allOf(starting.toArray(CompletableFuture[]::new))
        .exceptionally(
            failure -> {
              Throwable cause = Failures.cause(failure);
              List<String> tail = cause instanceof WorkerDied d ? d.stderrTail() : List.of();
              String why =
                  cause instanceof WorkerDied d && d.status().code() == ExitStatus.IMPORT_FAILED
                      ? importFailed(config, d)
                      : cause instanceof Spawner.SpawnFailed && config.isPython()
                          ? PythonRuntime.cannotRun(python.executable(), cause.getMessage())
                          : cause instanceof TimeoutException
                              ? "a worker did not answer initialize within "
                                  + limits.startTimeout().toMillis()
                                  + " ms (start_timeout_ms)"
                              : cause.getMessage();
              throw new PoolStartFailed(
                  "pool \"" + pool.name() + "\" could not start: " + why, tail, cause);
            })
        .thenCompose(ignored -> OfferListing.of(starting.get(0).join()))
        .thenAccept(
            o -> {
              serving(pool, o);
              Log.info(
                  "pool="
                      + pool.name()
                      + " ready: "
                      + config.replicas()
                      + " worker(s)"
                      + (limits.spare() > 0 ? " and " + limits.spare() + " spare(s) starting" : "")
                      + ", "
                      + o.tools().size()
                      + " tool(s), "
                      + o.prompts().size()
                      + " prompt(s), "
                      + (o.resources().size() + o.resourceTemplates().size())
                      + " resource(s)");
            });
  }

  /** The first start is over: serve, and start the spares. */
  private static void serving(PoolCore pool, Offer first) {
    pool.offer = first;
    AfterLock after = new AfterLock(pool.lock);
    synchronized (pool.lock) {
      if (pool.phase == PoolState.STARTING) {
        pool.phase = PoolState.SERVING;
        pool.slots.reconcile(after);
      }
    }
    after.run();
  }

  /** The cause a host sees when the pool's code does not import: the error and the user's line. */
  private static String importFailed(PoolConfig config, WorkerDied died) {
    ImportFailure failed = ImportFailure.in(died.stderrTail());
    return failed == null
        ? "its Python modules " + config.modules() + " failed to import (" + died.getMessage() + ")"
        : "its " + failed.summary() + "; " + died.getMessage();
  }
}
