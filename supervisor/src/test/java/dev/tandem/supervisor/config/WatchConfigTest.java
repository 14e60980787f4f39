package dev.tandem.supervisor.config;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** [server] watch: off unless asked for, since production code should change by deploy. */
class WatchConfigTest {

  @TempDir Path dir;

  private ServerConfig load(String server) throws Exception {
    Path file = dir.resolve("tandem.toml");
    Files.writeString(file, server + "\n[[pool]]\nname = \"p\"\ncommand = [\"server\"]\n");
    return new ConfigLoader(dir).load(file).server();
  }

  @Test
  void watchIsOffByDefault() throws Exception {
    assertFalse(load("").watch());
    assertFalse(load("[server]\npage_size = 10").watch());
  }

  @Test
  void watchIsReadAndMustBeABoolean() throws Exception {
    assertTrue(load("[server]\nwatch = true").watch());
    ConfigException e =
        assertThrows(ConfigException.class, () -> load("[server]\nwatch = \"yes\""));
    assertTrue(
        e.getMessage().contains("[server]: watch must be true or false, got \"yes\""),
        e.getMessage());
  }
}
