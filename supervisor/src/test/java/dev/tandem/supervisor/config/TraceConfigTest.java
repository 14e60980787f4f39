package dev.tandem.supervisor.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * [trace]: traces hold every tool's inputs and outputs, so they are off under serve and on in the
 * dev loop; TANDEM_TRACE_DIR in the daemon's environment wins over the table, which wins over the
 * dev-loop default.
 */
class TraceConfigTest {

  @TempDir Path dir;

  private static final Map<String, String> ENV =
      Map.of("XDG_CACHE_HOME", "/cache", "HOME", "/home/u");

  private TandemConfig load(String trace) throws Exception {
    Path file = dir.resolve("tandem.toml");
    Files.writeString(file, trace + "\n[[pool]]\nname = \"p\"\ncommand = [\"server\"]\n");
    return new ConfigLoader(dir, Overrides.none()).load(file);
  }

  private TraceConfig.Traces decide(String trace, boolean watching, Map<String, String> env)
      throws Exception {
    return load(trace).trace().decide(watching, env);
  }

  @Test
  void offUnderServeOnInTheDevLoopAtTheXdgCache() throws Exception {
    TraceConfig.Traces serve = decide("", false, ENV);
    assertFalse(serve.on());
    assertEquals(Map.of("TANDEM_TRACE_DIR", "off"), serve.workerEnv());
    assertEquals("traces: off", serve.summary());

    TraceConfig.Traces dev = decide("", true, ENV);
    assertEquals(Path.of("/cache/tandem/traces"), dev.dir());
    assertEquals("traces: /cache/tandem/traces (dev loop)", dev.summary());
    assertEquals(
        Map.of(
            "TANDEM_TRACE_DIR",
            "/cache/tandem/traces",
            "TANDEM_TRACE_MAX_BYTES",
            "10485760",
            "TANDEM_TRACE_FILES",
            "5"),
        dev.workerEnv());
    assertEquals(
        Path.of("/home/u/.cache/tandem/traces"), decide("", true, Map.of("HOME", "/home/u")).dir());
  }

  @Test
  void theTableWinsOverTheDevLoopDefault() throws Exception {
    assertFalse(decide("[trace]\nenabled = false", true, ENV).on());
    assertEquals(
        "traces: off ([trace] enabled = false)",
        decide("[trace]\nenabled = false", true, ENV).summary());

    TraceConfig.Traces on =
        decide(
            "[trace]\nenabled = true\ndir = \"traces\"\nmax_bytes = 4096\nfiles = 2", false, ENV);
    assertEquals(dir.resolve("traces"), on.dir(), "relative to the config file");
    assertEquals("traces: " + dir.resolve("traces") + " ([trace] enabled)", on.summary());
    assertEquals("4096", on.workerEnv().get("TANDEM_TRACE_MAX_BYTES"));
    assertEquals("2", on.workerEnv().get("TANDEM_TRACE_FILES"));

    // dir alone says where, not whether.
    assertFalse(decide("[trace]\ndir = \"traces\"", false, ENV).on());
    assertEquals(dir.resolve("traces"), decide("[trace]\ndir = \"traces\"", true, ENV).dir());
    String home = System.getenv().getOrDefault("HOME", System.getProperty("user.home"));
    assertEquals(
        Path.of(home, "t"),
        decide("[trace]\nenabled = true\ndir = \"~/t\"", false, ENV).dir(),
        "~/ is the home directory");
  }

  @Test
  void theEnvironmentWinsOverTheTable() throws Exception {
    Map<String, String> env =
        Map.of("TANDEM_TRACE_DIR", "/ci/traces", "TANDEM_TRACE_MAX_BYTES", "999999");
    TraceConfig.Traces on = decide("[trace]\nenabled = false\nmax_bytes = 4096", false, env);
    assertEquals(Path.of("/ci/traces"), on.dir());
    assertEquals("traces: /ci/traces (TANDEM_TRACE_DIR)", on.summary());
    // The variable the daemon was given reaches the workers by inheritance, not overwritten.
    assertFalse(on.workerEnv().containsKey("TANDEM_TRACE_MAX_BYTES"));

    TraceConfig.Traces off =
        decide("[trace]\nenabled = true", true, Map.of("TANDEM_TRACE_DIR", "OFF"));
    assertFalse(off.on());
    assertEquals("traces: off (TANDEM_TRACE_DIR=OFF)", off.summary());
    assertEquals(Map.of("TANDEM_TRACE_DIR", "off"), off.workerEnv());
  }

  @Test
  void mistakesInTheTableAreErrors() {
    ConfigException unknown =
        assertThrows(ConfigException.class, () -> load("[trace]\nenable = true"));
    assertTrue(
        unknown.getMessage().contains("[trace]: unknown key \"enable\"; did you mean \"enabled\"?"),
        unknown.getMessage());
    ConfigException bool =
        assertThrows(ConfigException.class, () -> load("[trace]\nenabled = \"yes\""));
    assertTrue(
        bool.getMessage().contains("[trace]: enabled must be true or false"), bool.getMessage());
    ConfigException files = assertThrows(ConfigException.class, () -> load("[trace]\nfiles = 0"));
    assertTrue(
        files.getMessage().contains("[trace]: files must be an integer from 1 to 100"),
        files.getMessage());
    ConfigException notTable = assertThrows(ConfigException.class, () -> load("trace = true"));
    assertTrue(notTable.getMessage().contains("[trace] must be a table"), notTable.getMessage());
  }

  @Test
  void theEffectiveConfigShowsTheTableAndReadsBack() throws Exception {
    TandemConfig unset = load("");
    String printed = EffectiveConfig.toml(unset);
    assertTrue(printed.contains("[trace]\n# TANDEM_TRACE_DIR in the environment wins"), printed);
    assertTrue(printed.contains("# enabled: not set; on with serve --watch"), printed);
    assertTrue(printed.contains("max_bytes = 10485760\nfiles = 5\n"), printed);

    TandemConfig set = load("[trace]\nenabled = true\ndir = \"traces\"\nfiles = 3");
    Path again = dir.resolve("again.toml");
    Files.writeString(again, EffectiveConfig.toml(set));
    TraceConfig reread = new ConfigLoader(dir, Overrides.none()).load(again).trace();
    assertEquals(set.trace(), reread);
    assertNull(unset.trace().enabled());
  }
}
