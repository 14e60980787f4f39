package dev.tandem.supervisor.cli;

import dev.tandem.protocol.EnvelopeDecoder;
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
import dev.tandem.supervisor.log.NettyLog;
import dev.tandem.supervisor.log.Secrets;
import dev.tandem.supervisor.pool.Pool;
import dev.tandem.supervisor.pool.PoolStartFailed;
import dev.tandem.supervisor.pool.PythonCommand;
import dev.tandem.supervisor.router.Catalog;
import dev.tandem.supervisor.router.Listing;
import dev.tandem.supervisor.router.Router;
import dev.tandem.supervisor.session.DualEraConnection;
import dev.tandem.supervisor.session.Session;
import dev.tandem.supervisor.session.StateKeys;
import dev.tandem.supervisor.session.StatelessServer;
import dev.tandem.supervisor.tasks.LegacyTasks;
import dev.tandem.supervisor.tasks.ModernTasks;
import dev.tandem.supervisor.transport.StdioTransport;
import dev.tandem.supervisor.transport.http.HttpServer;
import dev.tandem.supervisor.worker.Spawner;
import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.IOException;
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
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * {@code tandem serve}: reads the config, starts the pools while already answering the host
 * (initialize does not wait for Python), then serves one host on stdio until it closes stdin, or
 * (with {@code --http}) any number of hosts over Streamable HTTP until a signal, and shuts down
 * ({@link Shutdown}): stop taking work, let calls in flight finish within the grace period, stop
 * the workers. This class is the start-up sequence and the transports' wiring.
 */
final class Serve {

  /**
   * @param http null for stdio; "" for HTTP at {@code [http] listen}; else HOST:PORT
   * @param alsoStdio with HTTP, also serve one host on stdin/stdout
   * @param watch reload a pool when its sources change, whatever {@code [server] watch} says
   * @param overrides TANDEM_* variables and --set flags, which win over the file
   */
  record Options(
      Path config, Path home, String http, boolean alsoStdio, boolean watch, Overrides overrides) {}

  /** How long a 2026-07-28 call waits for the host to come back with the input it asked for. */
  static final Duration INPUT_TTL = Duration.ofMinutes(10);

  private final Options options;
  private final OutputStream wire;
  private final Shutdown shutdown = new Shutdown();
  private StateKeys stateKeys;
  private DaemonTasks tasks;

  Serve(Options options, OutputStream wire) {
    this.options = options;
    this.wire = wire;
  }

  int run() {
    NettyLog.install();
    // From here on a stop may come at any moment, even while the config loads or the port binds:
    // it must exit 0 and leave no runtime file behind (so one hook and one handler, from the
    // start).
    Runtime.getRuntime().addShutdownHook(new Thread(shutdown::stopNow, "tandem-shutdown"));
    Signals.onTerminate(shutdown::stopNow);
    Path file =
        options.config() != null
            ? options.config()
            : options.home().resolve("examples/tandem.toml");
    // The config's TOML mapper and parser load beside the JSON path that answers the host's
    // initialize: both are mostly first-time class loading, ~20 ms each at start, and a machine
    // running tandem has a second core (make bench: cold start to initialize).
    CompletableFuture<TandemConfig> loading = new CompletableFuture<>();
    Thread.ofPlatform()
        .name("tandem-config")
        .start(
            () -> {
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
    // Before any worker starts: a key file others can read stops the start, as a bad config does.
    stateKeys = StateKeys.load(config.http().stateKeyFile(), System.getenv());
    // Not asked beforehand: the first worker names the real interpreter behind a shim.
    PythonCommand python = PythonCommand.configured(config.server().python());
    boolean watching = options.watch() || config.server().watch();
    TraceConfig.Traces traces = config.trace().decide(watching, System.getenv());
    Log.info(traces.summary());
    List<Pool> pools =
        config.pools().stream()
            .map(p -> new Pool(p, config.server(), traces, python, spawner, Main.VERSION))
            .toList();
    Router router = new Router(pools);
    tasks = new DaemonTasks(router, config, shutdown);
    if (watching) HotReload.start(router);
    Log.info(
        "serving "
            + config.source()
            + " on "
            + (options.http() == null ? "stdio" : "HTTP")
            + ": "
            + pools.size()
            + " pool(s)");
    return options.http() == null ? serveStdio(config, router) : serveHttp(config, router);
  }

  /** Decodes and encodes one message of each kind a host's first exchange has. */
  private static void warmJsonPath() {
    MessageCodec.decode(WARM_REQUEST);
    // stdio reads a host's frames through the envelope decoder (its member reader, its scalars).
    EnvelopeDecoder.decode(WARM_REQUEST, 0, WARM_REQUEST.length, EnvelopeDecoder.TOOL_ARGUMENTS);
    MessageCodec.encode(
        new Message.Result(
            Json.NODES.numberNode(0),
            Json.object().put("protocolVersion", ProtocolVersions.LATEST)));
  }

  private static final byte[] WARM_REQUEST =
      ("{\"jsonrpc\":\"2.0\",\"id\":0,\"method\":\"initialize\",\"params\":{\"protocolVersion\":\""
              + ProtocolVersions.LATEST
              + "\",\"capabilities\":{},\"clientInfo\":{\"name\":\"warm\",\"version\":\"0\"}}}")
          .getBytes(StandardCharsets.UTF_8);

  private int serveStdio(TandemConfig config, Router router) {
    AtomicReference<Session> session = new AtomicReference<>();
    Duration grace = config.server().shutdownGrace();
    shutdown.onSignal(() -> shutdown.stop(router, session.get(), null, grace));
    if (shutdown.isStopped()) return shutdown.awaitStop();
    startPools(router, () -> shutdown.stop(router, null, null, Duration.ZERO));
    serveStdioSession(config, router, stateless(router, config), session::set);
    Log.info("the host closed stdin; shutting down");
    shutdown.stop(router, session.get(), null, grace);
    return router.catalog().isCompletedExceptionally() ? 1 : 0;
  }

  /** Streamable HTTP: serves until SIGTERM or SIGINT, whose hook shuts down; stdin is not read. */
  private int serveHttp(TandemConfig config, Router router) {
    HttpConfig http = config.http();
    if (!options.http().isEmpty()) {
      ListenAddress at = ListenAddress.parse(options.http());
      http = http.listeningOn(at.host(), at.port());
    }
    String generatedToken = null;
    if (http.auth() != null) {
      // OAuth access tokens only: no static token is generated beside them.
      http = http.withToken(null);
    } else if (http.token() == null) {
      Path file = HttpToken.location(System.getenv());
      try {
        generatedToken = HttpToken.loadOrCreate(file);
      } catch (IOException | UnsupportedOperationException e) {
        Log.error(
            "cannot keep the HTTP token in "
                + file
                + " ("
                + e.getMessage()
                + "); set [http] token or "
                + HttpConfig.TOKEN_ENV
                + ", or [http] token = \"\" to serve without one");
        System.exit(1);
        return 1;
      }
      Secrets.add("http.token", generatedToken);
      http = http.withToken(generatedToken);
      Log.info(
          "HTTP requests need the bearer token in "
              + file
              + " (tandem status and tandem.connect() read it; "
              + "[http] token = \"\" serves without one)");
    } else if (http.open()) {
      Log.warn(
          "[http] token = \"\": serving HTTP without a token; any local user can call these tools");
      http = http.withToken(null);
    }
    MetricsRegistry metrics = new MetricsRegistry();
    router.observeCalls(new CallMetrics(metrics, tool -> served(router, tool)));
    PoolMetrics.register(metrics, router.pools());
    HttpServer[] server = new HttpServer[1];
    router.reportInStatus("httpSessions", () -> server[0].sessionCount());
    AdminEndpoints side = new AdminEndpoints(router, metrics).listTasks(tasks::adminPage);
    StatelessServer modern = stateless(router, config);
    // Where replicas behind a balancer would disagree: said once, at start.
    Log.info(stateKeys.describe());
    tasks.registerMetrics(metrics);
    server[0] =
        new HttpServer(
            http,
            (label, out) ->
                new Session(label, router, out, identity(), config.server().pageSize())
                    .serveTasks(new LegacyTasks(tasks.engine(), router)),
            modern,
            side);
    server[0].poolOfTool(tool -> poolOf(router, tool));
    metrics.gauge(
        "tandem_http_sessions",
        "Open Streamable HTTP sessions.",
        List.of(),
        () -> Map.of(List.of(), server[0].sessionCount()));

    Duration grace = config.server().shutdownGrace();
    // With --stdio a host on stdin/stdout shares the workers; signals must drain it too.
    AtomicReference<Session> stdioSession = new AtomicReference<>();
    Duration drain = http.drain();
    AtomicBoolean draining = new AtomicBoolean();
    shutdown.onSignal(
        () -> {
          // Only a signal drains (a failed start or the stdio host leaving stops at once), and
          // only the first: the shutdown hook that follows the signal's exit finds it done.
          side.draining();
          if (draining.compareAndSet(false, true) && !shutdown.isStopped())
            Shutdown.drainForBalancers(drain);
          shutdown.stop(router, stdioSession.get(), server[0], grace);
        });
    if (shutdown.isStopped()) return shutdown.awaitStop();
    startPools(router, () -> shutdown.stop(router, null, server[0], Duration.ZERO));
    InetSocketAddress bound;
    try {
      bound = server[0].start();
    } catch (Exception e) {
      if (shutdown.isStopped())
        return shutdown.awaitStop(); // a signal shut the event loops while we bound: not an error
      Log.error(
          "cannot listen on "
              + http.host()
              + ":"
              + http.port()
              + ": "
              + e.getMessage()
              + "; pick another address with --http HOST:PORT or [http] listen");
      System.exit(1);
      return 1;
    }
    // Before the line below: whoever reads it may look for the runtime file at once.
    if (!shutdown.writeRuntimeFile(
        HttpServer.mcpUrl(http.host(), bound), config.source(), generatedToken))
      return shutdown.awaitStop();
    openEveryJar();
    // Tests and scripts read this line for the real port when asked for port 0.
    Log.info(
        "listening on "
            + HttpServer.mcpUrl(http.host(), bound)
            + " (admin: /healthz /readyz /metrics /status /tasks)");
    if (options.alsoStdio()) {
      // One more host on stdin/stdout, multiplexed onto the same workers as the HTTP sessions.
      serveStdioSession(config, router, modern, stdioSession::set);
      Log.info("the stdio host closed stdin; shutting down");
      shutdown.stop(router, stdioSession.get(), server[0], grace);
      return 0;
    }
    try {
      new CountDownLatch(1).await(); // until a signal: the shutdown hook does the rest
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return 0;
  }

  /**
   * Opens every jar on the class path now. The class loader opens a jar the first time a lookup
   * reaches it, and drops for good one it cannot open: if that first time came while clients hold
   * every file descriptor, each class in that jar would be missing until restart (shutdown
   * included). Looking up a class that exists nowhere walks, and so opens, them all.
   */
  private static void openEveryJar() {
    try {
      Class.forName("dev.tandem.supervisor.cli.NoSuchClass$OpensEveryJar");
    } catch (ClassNotFoundException expected) {
      // what walking the whole class path ends in
    }
  }

  private static String poolOf(Router router, String tool) {
    Catalog catalog = router.catalog().getNow(null);
    Listing.Entry entry = catalog == null ? null : catalog.tools.find(tool);
    return entry == null ? null : entry.pool().name();
  }

  private static boolean served(Router router, String tool) {
    Catalog catalog = router.catalog().getNow(null);
    return catalog != null && catalog.tools.find(tool) != null;
  }

  /** Serves one host on stdin/stdout, both eras, until it closes stdin. */
  private void serveStdioSession(
      TandemConfig config, Router router, StatelessServer modern, Consumer<Session> opened) {
    StdioTransport stdio =
        new StdioTransport(
            new FileInputStream(FileDescriptor.in), wire, config.server().maxFrameBytes());
    shutdown.writesLastAnswersTo(stdio);
    stdio.serve(
        t -> {
          Session session =
              new Session("stdio", router, t::send, identity(), config.server().pageSize())
                  .serveTasks(new LegacyTasks(tasks.engine(), router));
          opened.accept(session);
          return new DualEraConnection(session, modern, t::send, "stdio");
        });
  }

  /** The one 2026-07-28 server of this daemon; shutdown closes its subscriptions gracefully. */
  private StatelessServer stateless(Router router, TandemConfig config) {
    StatelessServer modern =
        new StatelessServer(router, identity(), config.server().pageSize(), INPUT_TTL, stateKeys);
    shutdown.drains(modern);
    modern.serveTasks(new ModernTasks(tasks.engine(), router));
    return modern;
  }

  private static Session.Identity identity() {
    return new Session.Identity("tandem", Main.VERSION);
  }

  private void startPools(Router router, Runnable stopNow) {
    router
        .start()
        .whenComplete(
            (catalog, failure) -> {
              // A pool that failed because a stop interrupted its start is no error to report.
              if (failure != null && !shutdown.isStopped()) {
                startFailed(failure);
                stopNow.run();
                System.exit(Failures.cause(failure) instanceof ConfigException ? 2 : 1);
              }
            });
  }

  private static void startFailed(Throwable failure) {
    Throwable cause = Failures.cause(failure);
    if (cause instanceof PoolStartFailed p && !p.stderrTail().isEmpty()) {
      Log.block(
          Log.Level.ERROR,
          p.getMessage() + "; its stderr ends with:",
          String.join("\n", p.stderrTail()));
    } else {
      Log.error(String.valueOf(cause.getMessage()));
    }
    Log.error("tandem cannot serve this configuration; fix the error above and start it again");
  }
}
