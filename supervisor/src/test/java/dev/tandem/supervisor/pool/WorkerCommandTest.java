package dev.tandem.supervisor.pool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.tandem.supervisor.config.PoolConfig;
import dev.tandem.supervisor.config.ServerConfig;
import dev.tandem.supervisor.config.Supervision;
import dev.tandem.supervisor.config.TraceConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Every worker is told whether to trace, explicitly, and the frame limit the daemon reads it with;
 * a pool's own env still has the last word.
 */
class WorkerCommandTest {

  private static final ServerConfig SERVER =
      new ServerConfig(null, 100, 1 << 20, Duration.ofSeconds(1), Path.of("/opt/tandem"), false);
  private static final TraceConfig.Traces OFF = TraceConfig.defaults().decide(false, Map.of());
  private static final TraceConfig.Traces DEV =
      TraceConfig.defaults().decide(true, Map.of("XDG_CACHE_HOME", "/c"));

  private static PoolConfig pool(Map<String, String> env) {
    return new PoolConfig("p", List.of("tools"), List.of(), List.of(), 1, env, Path.of("/srv"));
  }

  @Test
  void theDaemonsDecisionReachesEveryWorker() {
    assertEquals(
        "off",
        WorkerCommand.spec(pool(Map.of()), SERVER, OFF, "python3", 1)
            .env()
            .get("TANDEM_TRACE_DIR"));
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
        WorkerCommand.spec(
                pool(Map.of("TANDEM_TRACE_DIR", "/pool/traces")), SERVER, OFF, "python3", 1)
            .env();
    assertEquals("/pool/traces", env.get("TANDEM_TRACE_DIR"));
    assertEquals(
        "off",
        WorkerCommand.spec(pool(Map.of("TANDEM_TRACE_DIR", "off")), SERVER, DEV, "python3", 1)
            .env()
            .get("TANDEM_TRACE_DIR"));
  }

  private static final Map<String, String> DAEMON =
      Map.of(
          "PATH",
          "/usr/bin",
          "LC_ALL",
          "C.UTF-8",
          "OPENAI_API_KEY",
          "sk-0123456789",
          "TANDEM_HTTP_TOKEN",
          "daemon-token-0123",
          "TANDEM_SHUTDOWN_GRACE_MS",
          "100",
          "AWS_SECRET_ACCESS_KEY",
          "aws-0123456789",
          "DATABASE_URL",
          "postgres://db");

  private static PoolConfig passing(List<String> passEnv) {
    return new PoolConfig(
        "p",
        List.of("tools"),
        List.of(),
        List.of(),
        1,
        Map.of("SET_BY_POOL", "yes"),
        Path.of("/srv"),
        Supervision.defaults(),
        passEnv);
  }

  @Test
  void aWorkerGetsTheDefaultsAndNothingElseOfTheDaemonsEnvironment() {
    Map<String, String> env =
        WorkerCommand.spec(passing(List.of()), SERVER, OFF, "python3", 1, DAEMON).env();
    assertEquals("/usr/bin", env.get("PATH"));
    assertEquals("C.UTF-8", env.get("LC_ALL"));
    assertEquals("sk-0123456789", env.get("OPENAI_API_KEY"));
    assertEquals("yes", env.get("SET_BY_POOL"));
    assertEquals("p", env.get("TANDEM_POOL"));
    assertNull(env.get("TANDEM_HTTP_TOKEN"));
    assertNull(env.get("TANDEM_SHUTDOWN_GRACE_MS"));
    assertNull(env.get("AWS_SECRET_ACCESS_KEY"));
    assertNull(env.get("DATABASE_URL"));
    assertEquals(
        List.of(
            "AWS_SECRET_ACCESS_KEY",
            "DATABASE_URL",
            "TANDEM_HTTP_TOKEN",
            "TANDEM_SHUTDOWN_GRACE_MS"),
        WorkerEnvironment.withheld(DAEMON, List.of()));
  }

  @Test
  void passEnvAddsNamesAndPatternsButOnlyAnExactNameHandsOverTheDaemonsOwn() {
    Map<String, String> env =
        WorkerCommand.spec(passing(List.of("*")), SERVER, OFF, "python3", 1, DAEMON).env();
    assertEquals("aws-0123456789", env.get("AWS_SECRET_ACCESS_KEY"));
    assertEquals("postgres://db", env.get("DATABASE_URL"));
    assertNull(env.get("TANDEM_HTTP_TOKEN"));
    env =
        WorkerCommand.spec(
                passing(List.of("AWS_*", "TANDEM_HTTP_TOKEN")), SERVER, OFF, "python3", 1, DAEMON)
            .env();
    assertEquals("aws-0123456789", env.get("AWS_SECRET_ACCESS_KEY"));
    assertEquals("daemon-token-0123", env.get("TANDEM_HTTP_TOKEN"));
    assertNull(env.get("DATABASE_URL"));
  }
}
