package dev.tandem.supervisor.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tandem.supervisor.log.Secrets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * [tasks]: defaults, values read (the store: embedded or a Redis URL, and the lease), and a bad
 * value or key refused naming the table and key.
 */
class TasksConfigTest {

  @TempDir Path dir;

  private TandemConfig load(String tasks) throws Exception {
    Path file = dir.resolve("tandem.toml");
    Files.writeString(file, tasks + "\n[[pool]]\nname = \"p\"\ncommand = [\"server\"]\n");
    return new ConfigLoader(dir, Overrides.none()).load(file);
  }

  @Test
  void defaultsWithoutTheTable() throws Exception {
    assertEquals(TasksConfig.defaults(), load("").tasks());
    assertEquals(new TasksConfig(3_600_000, 1_000, 10_000, null, 15_000), TasksConfig.defaults());
  }

  @Test
  void readsEachKey() throws Exception {
    TasksConfig t = load("[tasks]\nttl_ms = 60000\npoll_interval_ms = 250\nmax_tasks = 50").tasks();
    assertEquals(new TasksConfig(60_000, 250, 50, null, 15_000), t);
  }

  @Test
  void refusesABadValueOrAnUnknownKey() {
    ConfigException zero =
        assertThrows(ConfigException.class, () -> load("[tasks]\nmax_tasks = 0"));
    assertTrue(
        zero.getMessage().contains("[tasks]") && zero.getMessage().contains("max_tasks"),
        zero.getMessage());
    ConfigException unknown = assertThrows(ConfigException.class, () -> load("[tasks]\nttl = 5"));
    assertTrue(unknown.getMessage().contains("ttl"), unknown.getMessage());
  }

  @Test
  void aRedisStoreAndALease() throws Exception {
    TasksConfig c = load("[tasks]\nstore = \"redis://127.0.0.1:6379/2\"\nlease_ms = 3000").tasks();
    assertEquals("redis://127.0.0.1:6379/2", c.store());
    assertEquals(3_000, c.leaseMs());
    assertNull(load("[tasks]\nstore = \"embedded\"").tasks().store());
  }

  @Test
  void theRedisPasswordIsKeptOutOfLogsAndPrintouts() throws Exception {
    load("[tasks]\nstore = \"redis://:s3cret-redis-pass@redis:6379/0\"");
    String line = Secrets.redact("could not reach s3cret-redis-pass");
    assertFalse(line.contains("s3cret-redis-pass"), line);
    assertEquals(
        "redis://redis:6379/0", TasksConfig.redacted("redis://:s3cret-redis-pass@redis:6379/0"));
  }

  @Test
  void refusesAStoreThatIsNotRedisAndATinyLease() {
    ConfigException scheme =
        assertThrows(ConfigException.class, () -> load("[tasks]\nstore = \"mysql://db/0\""));
    assertTrue(scheme.getMessage().contains("[tasks]: store must be"), scheme.getMessage());
    ConfigException lease =
        assertThrows(ConfigException.class, () -> load("[tasks]\nlease_ms = 5"));
    assertTrue(lease.getMessage().contains("lease_ms"), lease.getMessage());
  }
}
