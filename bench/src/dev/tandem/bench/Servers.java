package dev.tandem.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The servers the bench compares, each a stdio MCP server serving echo and sleep:
 *
 * <ul>
 *   <li>{@link #floor()}, the baseline of every ratio: bench/floor/mcp_floor.py, the minimal
 *       single-process stdlib Python server a user would write instead of running tandem;
 *   <li>{@link #tandem}: {@code bin/tandem serve} with a config from bench/configs and otherwise
 *       its defaults, as a user runs it; {@link #tandemTraced} the same with traces written to a
 *       directory, as in the dev loop;
 *   <li>{@link #workerAlone()}: {@code python -m tandem.worker}, tandem's own Python runtime
 *       without the daemon: where tandem's cost is the worker's, not the hop's.
 * </ul>
 */
final class Servers {

  final Path home;
  final String python;
  final Path logs;

  Servers(Path home, String python, Path logs) {
    this.home = home;
    this.python = python;
    this.logs = logs;
  }

  /** The minimal Python MCP server: what a user compares tandem with. */
  Peer.Command floor() {
    return new Peer.Command(
        "floor", List.of(python, home.resolve("bench/floor/mcp_floor.py").toString()), Map.of(), logs.resolve("floor.log"));
  }

  /** tandem as a user runs it: its defaults, one of the bench's configs. */
  Peer.Command tandem(String config) {
    return tandemAt(home, "tandem", "tandem-", config, Map.of());
  }

  /** tandem with every call traced to a fresh directory under the logs: the dev loop's setting. */
  Peer.Command tandemTraced(String config) throws IOException {
    Path traces = Files.createTempDirectory(logs, "traces-");
    return tandemAt(home, "tandem traces on", "tandem-traced-", config, Map.of("TANDEM_TRACE_DIR", traces.toString()));
  }

  /** A staged distribution (make dist): its jlinked runtime and AOT cache, the same config. */
  Peer.Command dist(Path stage, String config) {
    return tandemAt(stage, "tandem dist", "dist-", config, Map.of());
  }

  private Peer.Command tandemAt(Path install, String label, String logPrefix, String config, Map<String, String> extra) {
    Map<String, String> env = new HashMap<>();
    env.put("TANDEM_PYTHON", python);
    env.putAll(extra);
    return new Peer.Command(
        label,
        List.of(install.resolve("bin/tandem").toString(), "serve", "--config", home.resolve("bench/configs").resolve(config).toString()),
        env,
        logs.resolve(logPrefix + config.replace(".toml", "") + ".log"));
  }

  /**
   * tandem over Streamable HTTP on a free loopback port, its defaults and one of the bench's
   * configs; its runtime file goes to a directory of its own, never over a real daemon's.
   */
  Peer.Command tandemHttp(String config) throws IOException {
    Peer.Command c = tandem(config);
    List<String> argv = new java.util.ArrayList<>(c.argv());
    // An open server: the floor and the SDK servers it is compared with check no token either.
    argv.addAll(2, List.of("--http", "127.0.0.1:0", "--set", "http.token="));
    Map<String, String> env = new HashMap<>(c.env());
    env.put("XDG_RUNTIME_DIR", Files.createTempDirectory(logs, "run-").toString());
    return new Peer.Command("tandem HTTP", argv, env, logs.resolve("tandem-http-" + config.replace(".toml", "") + ".log"));
  }

  /**
   * The official TypeScript SDK v1 server (bench/ts-sdk-server.mjs: McpServer, Express, one
   * stateful StreamableHTTPServerTransport per session, on its defaults) serving the same echo,
   * from the packages pinned in integration-tests/node (make node-deps).
   */
  Peer.Command tsSdk() throws IOException {
    if (!Files.isDirectory(home.resolve("integration-tests/node/node_modules/@modelcontextprotocol/sdk"))) {
      throw new IOException("the TypeScript SDK is not installed: run 'make node-deps'");
    }
    return new Peer.Command("TS SDK v1", List.of("node", home.resolve("bench/ts-sdk-server.mjs").toString()), Map.of(),
        logs.resolve("ts-sdk.log"));
  }

  /** tandem's worker runtime serving the same module, with no daemon in front. */
  Peer.Command workerAlone() {
    return new Peer.Command(
        "tandem.worker alone",
        List.of(python, "-m", "tandem.worker", "--path", home.resolve("examples/tools").toString(), "basics"),
        // What tandem gives its workers (WorkerCommand), traces off as under `tandem serve`, so the
        // Python side runs as it does behind the daemon.
        Map.of("PYTHONPATH", home.resolve("reasoning-python").toString(), "PYTHONUNBUFFERED", "1", "TANDEM_TRACE_DIR", "off"),
        logs.resolve("worker-alone.log"));
  }
}
