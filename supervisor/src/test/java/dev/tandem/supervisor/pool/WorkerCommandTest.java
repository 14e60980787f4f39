package dev.tandem.supervisor.pool;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tandem.supervisor.config.PoolConfig;
import dev.tandem.supervisor.config.ServerConfig;
import dev.tandem.supervisor.config.TraceConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Every worker is told whether to trace, explicitly, and the frame limit the daemon reads it
 * with; a pool's own env still has the last word.
 */
class WorkerCommandTest {

  private static final ServerConfig SERVER =
      new ServerConfig(null, 100, 1 << 20, Duration.ofSeconds(1), Path.of("/opt/tandem"), false);
  private static final TraceConfig.Traces OFF = TraceConfig.defaults().decide(false, Map.of());
  private static final TraceConfig.Traces DEV = TraceConfig.defaults().decide(true, Map.of("XDG_CACHE_HOME", "/c"));

  private static PoolConfig pool(Map<String, String> env) {
    return new PoolConfig("p", List.of("tools"), List.of(), List.of(), 1, env, Path.of("/srv"));
  }

  @Test
  void theDaemonsDecisionReachesEveryWorker() {
    assertEquals("off", WorkerCommand.spec(pool(Map.of()), SERVER, OFF, "python3", 1).env().get("TANDEM_TRACE_DIR"));
    Map<String, String> env = WorkerCommand.spec(pool(Map.of()), SERVER, DEV, "python3", 1).env();
    assertEquals("/c/tandem/traces", env.get("TANDEM_TRACE_DIR"));
    assertEquals("5", env.get("TANDEM_TRACE_FILES"));
  }

  @Test
  void aPythonWorkerIsToldTheDaemonsFrameLimit() {
    List<String> argv = WorkerCommand.spec(pool(Map.of()), SERVER, OFF, "python3", 1).command();
    int flag = argv.indexOf("--max-frame-bytes");
    assertEquals(Integer.toString(1 << 20), argv.get(flag + 1), argv.toString());
  }

  @Test
  void aPoolsOwnEnvWins() {
    Map<String, String> env =
        WorkerCommand.spec(pool(Map.of("TANDEM_TRACE_DIR", "/pool/traces")), SERVER, OFF, "python3", 1).env();
    assertEquals("/pool/traces", env.get("TANDEM_TRACE_DIR"));
    assertEquals("off", WorkerCommand.spec(pool(Map.of("TANDEM_TRACE_DIR", "off")), SERVER, DEV, "python3", 1)
        .env().get("TANDEM_TRACE_DIR"));
  }
}
