package dev.tandem.supervisor.cli;

import dev.tandem.supervisor.config.ConfigLoader;
import dev.tandem.supervisor.config.PoolConfig;
import dev.tandem.supervisor.config.TandemConfig;
import dev.tandem.supervisor.log.Log;
import dev.tandem.supervisor.pool.Pool;
import dev.tandem.supervisor.pool.PoolStartFailed;
import dev.tandem.supervisor.pool.PythonRuntime;
import dev.tandem.supervisor.router.Router;
import dev.tandem.supervisor.session.Session;
import dev.tandem.supervisor.transport.StdioTransport;
import dev.tandem.supervisor.worker.Spawner;
import java.io.FileInputStream;
import java.io.FileDescriptor;
import java.io.OutputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * {@code tandem serve}: reads the config, starts the pools while already answering the host
 * (initialize does not wait for Python), serves stdio until the host closes stdin or a signal
 * arrives, then shuts down in the MCP stdio order.
 */
final class Serve {

  record Options(Path config, Path home) {}

  private final Options options;
  private final OutputStream wire;
  private final AtomicBoolean stopped = new AtomicBoolean();

  Serve(Options options, OutputStream wire) {
    this.options = options;
    this.wire = wire;
  }

  int run() {
    Path file = options.config() != null ? options.config() : options.home().resolve("examples/tandem.toml");
    TandemConfig config = new ConfigLoader(options.home()).load(file);
    boolean needsPython = config.pools().stream().anyMatch(PoolConfig::isPython);
    PythonRuntime python = needsPython ? PythonRuntime.locate(config.server().python()) : null;
    Spawner spawner = new Spawner();
    List<Pool> pools =
        config.pools().stream().map(p -> new Pool(p, config.server(), python, spawner, Main.VERSION)).toList();
    Router router = new Router(pools);
    Log.info("serving " + config.source() + " on stdio: " + pools.size() + " pool(s)"
        + (python == null ? "" : ", python " + python.executable()));
    router.start().whenComplete((catalog, failure) -> {
      if (failure != null) {
        startFailed(failure);
        stop(router, null, Duration.ZERO);
        System.exit(1);
      }
    });

    StdioTransport stdio = new StdioTransport(new FileInputStream(FileDescriptor.in), wire, config.server().maxFrameBytes());
    Session[] session = new Session[1];
    Runtime.getRuntime().addShutdownHook(new Thread(() -> stop(router, session[0], config.server().shutdownGrace()), "tandem-shutdown"));
    Signals.onTerminate(() -> stop(router, session[0], config.server().shutdownGrace()));
    stdio.serve(t -> session[0] = new Session("stdio", router, t::send, new Session.Identity("tandem", Main.VERSION), config.server().pageSize()));
    Log.info("the host closed stdin; shutting down");
    stop(router, session[0], config.server().shutdownGrace());
    return router.catalog().isCompletedExceptionally() ? 1 : 0;
  }

  private static void startFailed(Throwable failure) {
    Throwable cause = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
    if (cause instanceof PoolStartFailed p && !p.stderrTail().isEmpty()) {
      Log.block(Log.Level.ERROR, p.getMessage() + "; its stderr ends with:", String.join("\n", p.stderrTail()));
    } else {
      Log.error(String.valueOf(cause.getMessage()));
    }
    Log.error("tandem cannot serve this configuration; fix the error above and start it again");
  }

  /**
   * Stop routing, let calls in flight finish within the grace period, then stop the workers
   * (stdin closed, SIGTERM, SIGKILL). Runs once, from stdin EOF or the signal hook.
   */
  private boolean stop(Router router, Session session, Duration grace) {
    if (!stopped.compareAndSet(false, true)) return false;
    router.stopAccepting();
    if (session != null && session.inFlight() > 0) {
      Log.info("waiting up to " + grace.toMillis() + " ms for " + session.inFlight() + " call(s) in flight");
      try {
        session.drained().get(grace.toMillis(), TimeUnit.MILLISECONDS);
      } catch (TimeoutException e) {
        Log.warn(session.inFlight() + " call(s) still in flight after the grace period; cancelling them");
        session.close();
      } catch (Exception e) {
        Log.debug("drain ended: " + e);
      }
    }
    try {
      router.shutdown(Duration.ofSeconds(2)).get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      Log.warn("workers did not all stop in time: " + e);
    }
    Log.info("stopped");
    return true;
  }
}
