package dev.tandem.supervisor.cli;

import dev.tandem.supervisor.config.PoolConfig;
import dev.tandem.supervisor.config.Supervision;
import dev.tandem.supervisor.config.TandemConfig;
import dev.tandem.supervisor.config.TraceConfig;
import dev.tandem.supervisor.pool.Pool;
import dev.tandem.supervisor.pool.PoolStartFailed;
import dev.tandem.supervisor.pool.PythonCommand;
import dev.tandem.supervisor.pool.PythonRuntime;
import dev.tandem.supervisor.router.Catalog;
import dev.tandem.supervisor.router.Router;
import dev.tandem.supervisor.worker.Spawner;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The configured pools started for one short job ({@code check}, {@code call}): the real worker
 * runtime, so imports, schemas and clashes are found exactly as {@code serve} would find them, but
 * one worker per pool and no spare, since nothing here needs more.
 */
final class TrialRun implements AutoCloseable {

  final Router router;
  final Catalog catalog;

  private TrialRun(Router router, Catalog catalog) {
    this.router = router;
    this.catalog = catalog;
  }

  /** Starts the pools; {@link Failed} carries the message (and stderr) a person needs. */
  static TrialRun start(TandemConfig config) {
    // check and call ask the interpreter first: a wrong one is reported as such, not as a worker.
    boolean needsPython = config.pools().stream().anyMatch(PoolConfig::isPython);
    PythonCommand python =
        needsPython
            ? PythonCommand.of(PythonRuntime.locate(config.server().python()))
            : PythonCommand.configured(config.server().python());
    Spawner spawner = new Spawner();
    // As serve would decide (check and call do not watch): a call made here is traced only if
    // asked.
    TraceConfig.Traces traces = config.trace().decide(config.server().watch(), System.getenv());
    List<Pool> pools =
        config.pools().stream()
            .map(p -> new Pool(single(p), config.server(), traces, python, spawner, Main.VERSION))
            .toList();
    Router router = new Router(pools);
    long waitMs =
        config.pools().stream()
                .mapToLong(p -> p.supervision().startTimeout().toMillis())
                .max()
                .orElse(0)
            + 5_000;
    try {
      return new TrialRun(router, router.start().get(waitMs, TimeUnit.MILLISECONDS));
    } catch (ExecutionException e) {
      stop(router);
      Throwable cause = e.getCause() == null ? e : e.getCause();
      List<String> tail = cause instanceof PoolStartFailed p ? p.stderrTail() : List.of();
      throw new Failed(String.valueOf(cause.getMessage()), tail);
    } catch (TimeoutException e) {
      stop(router);
      throw new Failed(
          "the pools did not start within "
              + waitMs
              + " ms; raise start_timeout_ms if imports are slow",
          List.of());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      stop(router);
      throw new Failed("interrupted while starting the pools", List.of());
    }
  }

  private static PoolConfig single(PoolConfig p) {
    Supervision s = p.supervision();
    Supervision noSpare =
        new Supervision(
            s.maxConcurrency(),
            s.queue(),
            s.callTimeout(),
            s.startTimeout(),
            s.pingInterval(),
            s.pingTimeout(),
            s.maxRestarts(),
            s.restartWindow(),
            s.halfOpenAfter(),
            0,
            0,
            0);
    return new PoolConfig(
        p.name(),
        p.modules(),
        p.path(),
        p.command(),
        1,
        p.env(),
        p.workingDirectory(),
        noSpare,
        p.passEnv());
  }

  private static void stop(Router router) {
    router.stopAccepting();
    try {
      router.shutdown(Duration.ofSeconds(2)).get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      // the workers get SIGKILL from the pool, and PDEATHSIG if we exit first
    }
  }

  @Override
  public void close() {
    stop(router);
  }

  /** The pools could not start: the message names the pool and cause; stderr holds a traceback. */
  static final class Failed extends RuntimeException {
    final List<String> stderrTail;

    Failed(String message, List<String> stderrTail) {
      super(message);
      this.stderrTail = stderrTail;
    }

    /** The message and the worker's last stderr lines, as one block for a terminal. */
    String describe() {
      if (stderrTail.isEmpty()) return getMessage();
      return getMessage()
          + "\n  its stderr ends with:\n    | "
          + String.join("\n    | ", stderrTail);
    }
  }
}
