package dev.tandem.supervisor.cli;

import dev.tandem.supervisor.config.ListenAddress;
import dev.tandem.supervisor.log.Log;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
    name = "serve",
    mixinStandardHelpOptions = true,
    versionProvider = Main.Version.class,
    description = {
      "Serve MCP to one host on stdin/stdout, or with --http to any number over Streamable HTTP.",
      "SIGTERM, SIGINT or stdin closing drain calls in flight within shutdown_grace_ms, then exit 0."
    })
final class ServeCommand implements Callable<Integer> {

  @Mixin ConfigOptions config;
  @Mixin LogOptions log;

  @Option(
      names = "--http",
      arity = "0..1",
      fallbackValue = "",
      paramLabel = "HOST:PORT",
      description =
          "serve Streamable HTTP at http://HOST:PORT/mcp instead of stdio, with /healthz,"
              + " /readyz, /metrics and /status on the same port (default: [http] listen, else"
              + " 127.0.0.1:8765; port 0 picks a free one)")
  String http;

  @Option(
      names = "--stdio",
      description =
          "with --http: serve one host on stdin/stdout as well, on the same workers;"
              + " that host closing stdin stops the daemon")
  boolean stdio;

  @Option(
      names = "--watch",
      description =
          "reload a pool's workers when a file under its path changes, and record every"
              + " call as a trace unless [trace] says otherwise (development; also [server] watch = true)")
  boolean watch;

  /**
   * {@code serve} parsed without picocli, for the start-up time of the command hosts run; null for
   * anything but a plain, well-formed serve line (help, unknown options, missing values), which
   * then goes through picocli. ServeFastPathTest holds the two parsers to the same answers.
   */
  static ServeCommand parseFast(String[] args) {
    if (args.length == 0 || !args[0].equals("serve")) return null;
    ServeCommand c = new ServeCommand();
    c.config = new ConfigOptions();
    c.log = new LogOptions();
    for (int i = 1; i < args.length; i++) {
      String a = args[i];
      String name = a;
      String value = null;
      int eq = a.indexOf('=');
      if (a.startsWith("--") && eq > 0) {
        name = a.substring(0, eq);
        value = a.substring(eq + 1);
      }
      if (name.equals("--http")) {
        boolean next = value == null && i + 1 < args.length && !args[i + 1].startsWith("-");
        c.http = value != null ? value : next ? args[++i] : "";
        continue;
      }
      if (a.equals("--stdio")) {
        c.stdio = true;
        continue;
      }
      if (a.equals("--watch")) {
        c.watch = true;
        continue;
      }
      if (value == null) {
        if (!(a.equals("-c")
            || a.equals("--config")
            || a.equals("--set")
            || a.equals("--log-level")
            || a.equals("--log-format"))) return null;
        if (i + 1 >= args.length || args[i + 1].startsWith("-")) return null;
        value = args[++i];
      }
      switch (name) {
        case "-c", "--config" -> c.config.config = java.nio.file.Path.of(value);
        case "--set" -> c.config.set.add(value);
        case "--log-level" -> c.log.level = value;
        case "--log-format" -> c.log.format = value;
        default -> {
          return null;
        }
      }
    }
    return c;
  }

  @Override
  public Integer call() {
    log.apply(Log.Level.INFO);
    if (http != null && !http.isEmpty()) {
      try {
        ListenAddress.parse(http);
      } catch (IllegalArgumentException e) {
        throw new Main.UsageException("--http " + e.getMessage());
      }
    }
    if (stdio && http == null)
      throw new Main.UsageException("--stdio goes with --http (stdio alone is the default)");
    return new Serve(
            new Serve.Options(
                config.file(Main.home()), Main.home(), http, stdio, watch, config.overrides()),
            Main.stdout)
        .run();
  }
}
