package dev.tandem.supervisor.cli;

import dev.tandem.supervisor.config.ConfigException;
import dev.tandem.supervisor.config.ListenAddress;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/** {@code tandem <command> [options]}: the front door of the daemon. */
public final class Main {

  static final String VERSION = versionOf();

  private Main() {}

  public static void main(String[] args) {
    // stdout is the MCP wire: keep the real one for the transport and send every stray
    // System.out.println (ours or a library's) to stderr, where it is only a log line.
    PrintStream wire = System.out;
    System.setOut(System.err);
    List<String> argv = Arrays.asList(args);
    if (argv.isEmpty() || argv.contains("--help") || argv.contains("-h")) {
      usage(System.err);
      System.exit(argv.isEmpty() ? 2 : 0);
    }
    if (argv.contains("--version")) {
      wire.println("tandem " + VERSION);
      wire.flush();
      System.exit(0);
    }
    String command = argv.get(0);
    try {
      switch (command) {
        case "serve" -> System.exit(new Serve(parseServe(argv.subList(1, argv.size())), wire).run());
        default -> {
          System.err.println("tandem: unknown command \"" + command + "\"");
          usage(System.err);
          System.exit(2);
        }
      }
    } catch (ConfigException | UsageException e) {
      System.err.println("tandem: " + e.getMessage());
      System.exit(2);
    }
  }

  static Serve.Options parseServe(List<String> args) {
    Path config = null;
    String http = null;
    boolean stdio = false;
    boolean watch = false;
    for (int i = 0; i < args.size(); i++) {
      String a = args.get(i);
      if (a.equals("--stdio")) {
        stdio = true;
      } else if (a.equals("--http")) {
        // The address is optional: without one, [http] listen (or 127.0.0.1:8765) is used.
        http = i + 1 < args.size() && !args.get(i + 1).startsWith("-") ? args.get(++i) : "";
      } else if (a.startsWith("--http=")) {
        http = a.substring("--http=".length());
      } else if (a.equals("--watch")) {
        watch = true;
      } else if (a.equals("--config") || a.equals("-c")) {
        if (i + 1 >= args.size()) throw new UsageException("--config needs a file: tandem serve --config tandem.toml");
        config = Path.of(args.get(++i));
      } else if (a.startsWith("--config=")) {
        config = Path.of(a.substring("--config=".length()));
      } else {
        throw new UsageException("serve: unknown option \"" + a + "\"; see tandem --help");
      }
    }
    if (http != null && !http.isEmpty()) {
      try {
        ListenAddress.parse(http);
      } catch (IllegalArgumentException e) {
        throw new UsageException("--http " + e.getMessage());
      }
    }
    if (stdio && http == null) throw new UsageException("--stdio goes with --http (stdio alone is the default)");
    return new Serve.Options(config, home(), http, stdio, watch);
  }

  /** Where tandem is installed: the launcher says so; examples/ and reasoning-python/ are there. */
  static Path home() {
    String home = System.getProperty("tandem.home");
    if (home == null) home = System.getenv("TANDEM_HOME");
    if (home == null) throw new UsageException("tandem.home is not set; start tandem with bin/tandem");
    return Path.of(home).toAbsolutePath().normalize();
  }

  private static void usage(PrintStream out) {
    out.println(
        """
        usage: tandem serve [--config FILE] [--http [HOST:PORT] [--stdio]] [--watch]

          serve    serve MCP on stdin/stdout, with the tools of the pools in FILE
                   (default: the bundled examples/tandem.toml)

          --http HOST:PORT   serve Streamable HTTP at http://HOST:PORT/mcp instead of stdio,
                             with /healthz /readyz /metrics /status on the same port
                             (default [http] listen, else 127.0.0.1:8765; port 0 picks a free one)
          --stdio            with --http: serve a host on stdin/stdout as well, on the same
                             workers; the host closing stdin stops the daemon
          --watch            reload a pool's workers when a file under its path changes
                             (development; also [server] watch = true)

          --version   print the version
          --help      this text
        """);
  }

  private static String versionOf() {
    String v = Main.class.getPackage().getImplementationVersion();
    return v == null ? "0.1.0-dev" : v;
  }

  static final class UsageException extends RuntimeException {
    UsageException(String message) {
      super(message);
    }
  }
}
