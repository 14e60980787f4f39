package dev.tandem.supervisor.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SupervisionConfigTest {

  @TempDir Path dir;

  private PoolConfig load(String extra) throws Exception {
    Path file = dir.resolve("tandem.toml");
    Files.writeString(file, "[[pool]]\nname = \"p\"\ncommand = [\"server\"]\n" + extra);
    return new ConfigLoader(dir).load(file).pools().get(0);
  }

  @Test
  void everySupervisionKeyHasADefault() throws Exception {
    assertEquals(Supervision.defaults(), load("").supervision());
  }

  @Test
  void supervisionKeysAreRead() throws Exception {
    Supervision s =
        load("""
        max_concurrency = 8
        queue = 0
        call_timeout_ms = 1500
        start_timeout_ms = 2000
        ping_interval_ms = 200
        ping_timeout_ms = 300
        max_restarts = 2
        restart_window_ms = 60000
        half_open_after_ms = 1000
        spare = 0
        max_calls = 500
        max_rss_mb = 1024
        """)
            .supervision();
    assertEquals(
        new Supervision(
            8,
            0,
            Duration.ofMillis(1500),
            Duration.ofMillis(2000),
            Duration.ofMillis(200),
            Duration.ofMillis(300),
            2,
            Duration.ofMinutes(1),
            Duration.ofSeconds(1),
            0,
            500,
            1024),
        s);
  }

  @Test
  void aValueOutOfRangeNamesThePoolTheKeyAndTheRange() {
    ConfigException e = assertThrows(ConfigException.class, () -> load("max_concurrency = 0\n"));
    assertTrue(
        e.getMessage()
            .contains("pool \"p\": max_concurrency must be an integer from 1 to 10000, got 0"),
        e.getMessage());
    e = assertThrows(ConfigException.class, () -> load("ping_interval_ms = \"fast\"\n"));
    assertTrue(
        e.getMessage().contains("pool \"p\": ping_interval_ms must be an integer"), e.getMessage());
  }
}
