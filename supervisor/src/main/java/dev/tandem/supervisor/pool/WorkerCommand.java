package dev.tandem.supervisor.pool;

import dev.tandem.supervisor.config.PoolConfig;
import dev.tandem.supervisor.config.ServerConfig;
import dev.tandem.supervisor.config.TraceConfig;
import dev.tandem.supervisor.worker.WorkerSpec;
import java.io.File;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Builds the argv and the whole environment of a pool's workers from its configuration. */
final class WorkerCommand {

  private WorkerCommand() {}

  /**
   * {@code traces}: whether and where the worker records calls; the pool's own env can say
   * otherwise.
   */
  static WorkerSpec spec(
      PoolConfig pool, ServerConfig server, TraceConfig.Traces traces, String python, int index) {
    return spec(pool, server, traces, python, index, System.getenv());
  }

  /**
   * The same, for a daemon whose environment is {@code daemonEnv}: the spec's env is the whole of
   * the worker's.
   */
  static WorkerSpec spec(
      PoolConfig pool,
      ServerConfig server,
      TraceConfig.Traces traces,
      String python,
      int index,
      Map<String, String> daemonEnv) {
    Map<String, String> env = new HashMap<>(WorkerEnvironment.inherited(daemonEnv, pool.passEnv()));
    List<String> argv = new ArrayList<>();
    if (pool.isPython()) {
      argv.add(python);
      argv.add("-m");
      argv.add("tandem.worker");
      // The worker refuses to send what the daemon would refuse to read, and reads a margin
      // more than that, for what the daemon adds to a request it forwards.
      argv.add("--max-frame-bytes");
      argv.add(Integer.toString(server.maxFrameBytes()));
      for (Path p : pool.path()) {
        argv.add("--path");
        argv.add(p.toString());
      }
      argv.addAll(pool.modules());
      Path runtime = server.tandemHome().resolve("reasoning-python");
      String existing = daemonEnv.get("PYTHONPATH");
      env.put(
          "PYTHONPATH",
          existing == null || existing.isBlank()
              ? runtime.toString()
              : runtime + File.pathSeparator + existing);
      // print() in a tool goes to stderr; unbuffered, its lines reach the log as they happen.
      env.put("PYTHONUNBUFFERED", "1");
    } else {
      argv.addAll(pool.command());
    }
    env.put("TANDEM_POOL", pool.name());
    env.put("TANDEM_WORKER_INDEX", Integer.toString(index));
    // Explicit either way: a worker that inherited no TANDEM_TRACE_DIR would record nothing, but
    // one started from a shell that exported it must not trace where the daemon decided not to.
    env.putAll(traces.workerEnv());
    env.putAll(pool.env());
    return new WorkerSpec(
        pool.name(),
        index,
        List.copyOf(argv),
        Map.copyOf(env),
        pool.workingDirectory(),
        server.maxFrameBytes());
  }
}
