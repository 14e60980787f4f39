package dev.tandem.supervisor.cli;

import dev.tandem.protocol.Failures;
import dev.tandem.protocol.Json;
import dev.tandem.protocol.Message;
import dev.tandem.protocol.MessageCodec;
import dev.tandem.protocol.ProtocolVersions;
import dev.tandem.supervisor.admin.AdminEndpoints;
import dev.tandem.supervisor.admin.CallMetrics;
import dev.tandem.supervisor.admin.MetricsRegistry;
import dev.tandem.supervisor.admin.PoolMetrics;
import dev.tandem.supervisor.config.ConfigException;
import dev.tandem.supervisor.config.ConfigLoader;
import dev.tandem.supervisor.config.HttpConfig;
import dev.tandem.supervisor.config.ListenAddress;
import dev.tandem.supervisor.config.Overrides;
import dev.tandem.supervisor.config.TandemConfig;
import dev.tandem.supervisor.config.TraceConfig;
import dev.tandem.supervisor.log.Log;
import dev.tandem.supervisor.pool.Pool;
import dev.tandem.supervisor.pool.PoolStartFailed;
import dev.tandem.supervisor.pool.PythonCommand;
import dev.tandem.supervisor.router.Catalog;
import dev.tandem.supervisor.router.Router;
import dev.tandem.supervisor.session.DualEraConnection;
import dev.tandem.supervisor.session.Session;
import dev.tandem.supervisor.session.StatelessServer;
import dev.tandem.supervisor.transport.StdioTransport;
import dev.tandem.supervisor.transport.http.HttpServer;
import dev.tandem.supervisor.transport.http.SideEndpoints;
import dev.tandem.supervisor.worker.Spawner;
import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * {@code tandem serve}: reads the config, starts the pools while already answering the host
 * (initialize does not wait for Python), then serves one host on stdio until it closes stdin, or
 * (with {@code --http}) any number of hosts over Streamable HTTP until a signal, and shuts down:
 * stop taking work, let calls in flight finish within the grace period, stop the workers.
 */
final class Serve {

  /**
   * @param http null for stdio; "" for HTTP at {@code [http] listen}; else HOST:PORT
   * @param alsoStdio with HTTP, also serve one host on stdin/stdout
   * @param watch reload a pool when its sources change, whatever {@code [server] watch} says
   * @param overrides TANDEM_* variables and --set flags, which win over the file
   */
  record Options(Path config, Path home, String http, boolean alsoStdio, boolean watch, Overrides overrides) {}

  /** How long a 2026-07-28 call waits for the host to come back with the input it asked for. */
  static final Duration INPUT_TTL = Duration.ofMinutes(10);

  private final Options options;
  private final OutputStream wire;
  private final AtomicBoolean stopped = new AtomicBoolean();
  private volatile StatelessServer modern;
  private volatile RuntimeFile runtimeFile;

  Serve(Options options, OutputStream wire) {
    this.options = options;
    this.wire = wire;
  }

  int run() {
    Path file = options.config() != null ? options.config() : options.home().resolve("examples/tandem.toml");
    // The config's TOML mapper and parser load beside the JSON path that answers the host's
    // initialize: both are mostly first-time class loading, ~20 ms each at start, and a machine
    // running tandem has a second core (make bench: cold start to initialize).
    CompletableFuture<TandemConfig> loading = new CompletableFuture<>();
    Thread.ofPlatform().name("tandem-config").start(() -> {
      try {
        loading.complete(new ConfigLoader(options.home(), options.overrides()).load(file));
      } catch (Throwable t) {
        loading.completeExceptionally(t);
      }
    });
    // Its thread loads the process launcher meanwhile: the first worker starts as soon as it can.
    Spawner spawner = new Spawner();
    warmJsonPath();
    TandemConfig config;
    try {
      config = loading.join();
    } catch (CompletionException e) {
      if (e.getCause() instanceof RuntimeException r) throw r;
      throw e;
    }
    // Not asked beforehand: the first worker names the real interpreter behind a shim.
    PythonCommand python = PythonCommand.configured(config.server().python());
    boolean watching = options.watch() || config.server().watch();
    TraceConfig.Traces traces = config.trace().decide(watching, System.getenv());
    Log.info(traces.summary());
    List<Pool> pools =
        config.pools().stream().map(p -> new Pool(p, config.server(), traces, python, spawner, Main.VERSION)).toList();
    Router router = new Router(pools);
    if (watching) HotReload.start(router);
    Log.info("serving " + config.source() + " on " + (options.http() == null ? "stdio" : "HTTP") + ": " + pools.size() + " pool(s)");
    return options.http() == null ? serveStdio(config, router) : serveHttp(config, router);
  }

  /** Decodes and encodes one message of each kind a host's first exchange has. */
  private static void warmJsonPath() {
    MessageCodec.decode(WARM_REQUEST);
    MessageCodec.encode(new Message.Result(Json.NODES.numberNode(0), Json.object().put("protocolVersion", ProtocolVersions.LATEST)));
  }

  private static final byte[] WARM_REQUEST =
      ("{\"jsonrpc\":\"2.0\",\"id\":0,\"method\":\"initialize\",\"params\":{\"protocolVersion\":\""
          + ProtocolVersions.LATEST + "\",\"capabilities\":{},\"clientInfo\":{\"name\":\"warm\",\"version\":\"0\"}}}")
          .getBytes(StandardCharsets.UTF_8);

  private int serveStdio(TandemConfig config, Router router) {
    startPools(router, () -> stop(router, null, null, Duration.ZERO));
    AtomicReference<Session> session = new AtomicReference<>();
    Duration grace = config.server().shutdownGrace();
    Runtime.getRuntime().addShutdownHook(new Thread(() -> stop(router, session.get(), null, grace), "tandem-shutdown"));
    Signals.onTerminate(() -> stop(router, session.get(), null, grace));
    serveStdioSession(config, router, stateless(router, config), session::set);
    Log.info("the host closed stdin; shutting down");
    stop(router, session.get(), null, grace);
    return router.catalog().isCompletedExceptionally() ? 1 : 0;
  }

  /** Streamable HTTP: serves until SIGTERM or SIGINT, whose hook shuts down; stdin is not read. */
  private int serveHttp(TandemConfig config, Router router) {
    HttpConfig http = config.http();
    if (!options.http().isEmpty()) {
      ListenAddress at = ListenAddress.parse(options.http());
      http = http.listeningOn(at.host(), at.port());
    }
    MetricsRegistry metrics = new MetricsRegistry();
    router.observeCalls(new CallMetrics(metrics, tool -> served(router, tool)));
    PoolMetrics.register(metrics, router.pools());
    HttpServer[] server = new HttpServer[1];
    AdminEndpoints admin = new AdminEndpoints(router, metrics, Map.of("httpSessions", () -> server[0].sessionCount()));
    SideEndpoints side = path -> {
      AdminEndpoints.Page page = admin.get(path);
      return page == null ? null : new SideEndpoints.Reply(page.status(), page.contentType(), page.body());
    };
    StatelessServer modern = stateless(router, config);
    server[0] = new HttpServer(http, (label, out) -> new Session(label, router, out, identity(), config.server().pageSize()), modern, side);
    metrics.gauge("tandem_http_sessions", "Open Streamable HTTP sessions.", List.of(), () -> Map.of(List.of(), server[0].sessionCount()));

    Duration grace = config.server().shutdownGrace();
    // With --stdio a host on stdin/stdout shares the workers; signals must drain it too.
    AtomicReference<Session> stdioSession = new AtomicReference<>();
    Runtime.getRuntime().addShutdownHook(new Thread(() -> stop(router, stdioSession.get(), server[0], grace), "tandem-shutdown"));
    Signals.onTerminate(() -> stop(router, stdioSession.get(), server[0], grace));
    startPools(router, () -> stop(router, null, server[0], Duration.ZERO));
    InetSocketAddress bound;
    try {
      bound = server[0].start();
    } catch (Exception e) {
      Log.error("cannot listen on " + http.host() + ":" + http.port() + ": " + e.getMessage()
          + "; pick another address with --http HOST:PORT or [http] listen");
      System.exit(1);
      return 1;
    }
    // Before the line below: whoever reads it may look for the runtime file at once.
    runtimeFile = RuntimeFile.write(HttpServer.mcpUrl(http.host(), bound), config.source(), Main.VERSION);
    // Tests and scripts read this line for the real port when asked for port 0.
    Log.info("listening on " + HttpServer.mcpUrl(http.host(), bound) + " (admin: /healthz /readyz /metrics /status)");
    if (options.alsoStdio()) {
      // One more host on stdin/stdout, multiplexed onto the same workers as the HTTP sessions.
      serveStdioSession(config, router, modern, stdioSession::set);
      Log.info("the stdio host closed stdin; shutting down");
      stop(router, stdioSession.get(), server[0], grace);
      return 0;
    }
    try {
      new CountDownLatch(1).await(); // until a signal: the shutdown hook does the rest
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return 0;
  }

  private static boolean served(Router router, String tool) {
    Catalog catalog = router.catalog().getNow(null);
    return catalog != null && catalog.tools.find(tool) != null;
  }

  /** Serves one host on stdin/stdout, both eras, until it closes stdin. */
  private void serveStdioSession(TandemConfig config, Router router, StatelessServer modern, Consumer<Session> opened) {
    StdioTransport stdio = new StdioTransport(new FileInputStream(FileDescriptor.in), wire, config.server().maxFrameBytes());
    stdio.serve(t -> {
      Session session = new Session("stdio", router, t::send, identity(), config.server().pageSize());
      opened.accept(session);
      return new DualEraConnection(session, modern, t::send, "stdio");
    });
  }

  /** The one 2026-07-28 server of this daemon; shutdown closes its subscriptions gracefully. */
  private StatelessServer stateless(Router router, TandemConfig config) {
    modern = new StatelessServer(router, identity(), config.server().pageSize(), INPUT_TTL);
    return modern;
  }

  private static Session.Identity identity() {
    return new Session.Identity("tandem", Main.VERSION);
  }

  private void startPools(Router router, Runnable stopNow) {
    router.start().whenComplete((catalog, failure) -> {
          if (failure != null) {
            startFailed(failure);
            stopNow.run();
            System.exit(Failures.cause(failure) instanceof ConfigException ? 2 : 1);
          }
        });
  }


  private static void startFailed(Throwable failure) {
    Throwable cause = Failures.cause(failure);
    if (cause instanceof PoolStartFailed p && !p.stderrTail().isEmpty()) {
      Log.block(Log.Level.ERROR, p.getMessage() + "; its stderr ends with:", String.join("\n", p.stderrTail()));
    } else {
      Log.error(String.valueOf(cause.getMessage()));
    }
    Log.error("tandem cannot serve this configuration; fix the error above and start it again");
  }

  /**
   * Stop taking work (HTTP: close the listening socket first), let calls in flight finish within
   * the grace period, then end the sessions and stop the workers (stdin closed, SIGTERM, SIGKILL).
   * Runs once, from stdin EOF or the signal hook.
   */
  private boolean stop(Router router, Session session, HttpServer http, Duration grace) {
    if (!stopped.compareAndSet(false, true)) return false;
    if (runtimeFile != null) runtimeFile.remove(); // first: no new notebook should find a daemon that is leaving
    router.stopAccepting();
    if (http != null) http.stopAccepting();
    int inFlight = (session == null ? 0 : session.inFlight()) + (http == null ? 0 : http.inFlight())
        + (modern == null ? 0 : modern.inFlight());
    if (inFlight > 0) {
      Log.info("waiting up to " + grace.toMillis() + " ms for " + inFlight + " call(s) in flight");
      try {
        CompletableFuture.allOf(
                session == null ? CompletableFuture.completedFuture(null) : session.drained(),
                http == null ? CompletableFuture.completedFuture(null) : http.drained(),
                modern == null ? CompletableFuture.completedFuture(null) : modern.drained())
            .get(grace.toMillis(), TimeUnit.MILLISECONDS);
      } catch (TimeoutException e) {
        Log.warn("calls still in flight after the grace period; cancelling them");
      } catch (Exception e) {
        Log.debug("drain ended: " + e);
      }
    }
    if (modern != null) modern.close();
    if (session != null) session.close();
    if (http != null) http.close(Duration.ofSeconds(2));
    try {
      router.shutdown(Duration.ofSeconds(2)).get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      Log.warn("workers did not all stop in time: " + e);
    }
    Log.info("stopped");
    return true;
  }
}
