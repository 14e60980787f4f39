package dev.tandem.supervisor.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OverridesTest {

  @TempDir Path dir;

  private TandemConfig load(String toml, Overrides overrides) throws Exception {
    Path file = dir.resolve("tandem.toml");
    Files.writeString(file, toml);
    return new ConfigLoader(dir, overrides).load(file);
  }

  private static final String POOL =
      """
      [server]
      shutdown_grace_ms = 5000

      [[pool]]
      name = "notes-v2"
      command = ["true"]
      """;

  @Test
  void environmentVariablesWinOverTheFile() throws Exception {
    TandemConfig c =
        load(
            POOL,
            Overrides.fromEnvironment(
                Map.of(
                    "TANDEM_SHUTDOWN_GRACE_MS", "2000",
                    "TANDEM_HTTP_LISTEN", "0.0.0.0:9000",
                    "TANDEM_HTTP_ALLOWED_HOSTS", "tandem.example.com, tandem",
                    "TANDEM_POOL_NOTES_V2_REPLICAS", "3")));
    assertEquals(Duration.ofMillis(2000), c.server().shutdownGrace());
    assertEquals("0.0.0.0", c.http().host());
    assertEquals(9000, c.http().port());
    assertEquals(List.of("tandem.example.com", "tandem"), c.http().allowedHosts());
    assertEquals(3, c.pools().get(0).replicas());
    assertEquals(4, c.overridden().size());
  }

  @Test
  void setFlagsWinOverEnvironmentVariables() throws Exception {
    Overrides o =
        Overrides.fromEnvironment(Map.of("TANDEM_POOL_NOTES_V2_REPLICAS", "3"))
            .with("pool.notes-v2.replicas=5")
            .with("server.page_size=10");
    TandemConfig c = load(POOL, o);
    assertEquals(5, c.pools().get(0).replicas());
    assertEquals(10, c.server().pageSize());
  }

  @Test
  void aBadOverrideNamesTheVariableNotTheFile() {
    ConfigException e =
        assertThrows(
            ConfigException.class,
            () ->
                load(POOL, Overrides.fromEnvironment(Map.of("TANDEM_SHUTDOWN_GRACE_MS", "soon"))));
    assertTrue(
        e.getMessage()
            .startsWith("TANDEM_SHUTDOWN_GRACE_MS (overriding [server] shutdown_grace_ms of "),
        e.getMessage());
    assertTrue(
        e.getMessage()
            .endsWith("shutdown_grace_ms must be an integer from 0 to 3600000, got \"soon\""),
        e.getMessage());
  }

  @Test
  void aPoolVariableNamingNoPoolIsRefused() {
    ConfigException e =
        assertThrows(
            ConfigException.class,
            () -> load(POOL, Overrides.fromEnvironment(Map.of("TANDEM_POOL_NOTES_REPLICAS", "3"))));
    assertTrue(
        e.getMessage().contains("TANDEM_POOL_NOTES_REPLICAS names no pool key"), e.getMessage());
    assertTrue(e.getMessage().contains("TANDEM_POOL_NOTES_V2_REPLICAS"), e.getMessage());
  }

  @Test
  void unrelatedTandemVariablesAreIgnored() throws Exception {
    TandemConfig c =
        load(
            POOL,
            Overrides.fromEnvironment(
                Map.of("TANDEM_TRACE_DIR", "off", "TANDEM_POOL", "x", "TANDEM_MODEL", "fake")));
    assertTrue(c.overridden().isEmpty());
  }

  @Test
  void setFlagsAreCheckedAsTheyAreGiven() {
    IllegalArgumentException unknown =
        assertThrows(
            IllegalArgumentException.class, () -> Overrides.none().with("server.shutdown_grace=1"));
    assertTrue(
        unknown.getMessage().contains("did you mean \"shutdown_grace_ms\"?"), unknown.getMessage());
    IllegalArgumentException shape =
        assertThrows(IllegalArgumentException.class, () -> Overrides.none().with("replicas=2"));
    assertTrue(shape.getMessage().contains("is not TABLE.KEY=VALUE"), shape.getMessage());
    ConfigException noPool =
        assertThrows(
            ConfigException.class, () -> load(POOL, Overrides.none().with("pool.nope.replicas=2")));
    assertTrue(noPool.getMessage().contains("has no pool named \"nope\""), noPool.getMessage());
  }

  @Test
  void theTokenIsNeverPrintedOnlyWhereItCameFrom() throws Exception {
    TandemConfig c =
        load(
            POOL + "\n[http]\ntoken = \"file-secret\"\n",
            Overrides.fromEnvironment(Map.of("TANDEM_HTTP_TOKEN", "env-secret")));
    assertEquals("env-secret", c.http().token());
    String printed = EffectiveConfig.toml(c);
    assertFalse(printed.contains("secret"), printed);
    assertTrue(printed.contains("# token: set by TANDEM_HTTP_TOKEN (never shown)"), printed);
    assertTrue(printed.contains("shutdown_grace_ms = 5000\n"), printed);
  }

  @Test
  void theEffectiveConfigReadsBackAsTheSameConfig() throws Exception {
    TandemConfig c =
        load(POOL, Overrides.fromEnvironment(Map.of("TANDEM_POOL_NOTES_V2_SPARE", "0")));
    Path again = dir.resolve("again.toml");
    Files.writeString(again, EffectiveConfig.toml(c));
    TandemConfig reread = new ConfigLoader(dir, Overrides.none()).load(again);
    assertEquals(c.server(), reread.server());
    assertEquals(c.pools(), reread.pools());
    assertEquals(c.http().toString(), reread.http().toString());
  }

  @Test
  void tasksVariablesSetTheStoreAndItsPasswordIsNeverPrinted() throws Exception {
    Overrides o =
        Overrides.fromEnvironment(
                Map.of(
                    "TANDEM_TASKS_STORE", "redis://:pod-secret@redis:6379/0",
                    "TANDEM_TASKS_LEASE_MS", "3000",
                    "TANDEM_TASKS_DIR", "/var/lib/tandem/tasks")) // the file's place, not a key
            .with("tasks.max_tasks=50");
    TandemConfig c = load(POOL, o);
    assertEquals("redis://:pod-secret@redis:6379/0", c.tasks().store());
    assertEquals(3000, c.tasks().leaseMs());
    assertEquals(50, c.tasks().maxTasks());
    assertEquals(3, c.overridden().size());
    String printed = EffectiveConfig.toml(c);
    assertFalse(printed.contains("pod-secret"), printed);
    assertTrue(
        printed.contains("store = \"redis://redis:6379/0\"  # from TANDEM_TASKS_STORE"), printed);
  }

  @Test
  void aBadTasksOverrideNamesItsVariableOrFlag() {
    ConfigException store =
        assertThrows(
            ConfigException.class,
            () ->
                load(POOL, Overrides.fromEnvironment(Map.of("TANDEM_TASKS_STORE", "mysql://db"))));
    assertTrue(
        store.getMessage().startsWith("TANDEM_TASKS_STORE (overriding [tasks] store of "),
        store.getMessage());
    assertTrue(store.getMessage().contains("store must be \"embedded\" or a Redis URL"));
    IllegalArgumentException unknown =
        assertThrows(IllegalArgumentException.class, () -> Overrides.none().with("tasks.lease=1"));
    assertTrue(unknown.getMessage().contains("did you mean \"lease_ms\"?"), unknown.getMessage());
  }
}
