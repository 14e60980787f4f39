package dev.tandem.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shared requestState key as an operator meets it: {@code tandem check} says where it comes
 * from (never what it is), and a key file others can read stops {@code check} and {@code serve}
 * before any worker starts, with the chmod that fixes it.
 */
class StateKeyConfigTest {

  static final String KEY = "check-it-key-0123456789abcdefghijklmnopqrstuvwxyz";

  @TempDir Path dir;

  @Test
  void checkSaysWhereTheKeyComesFromAndNeverShowsIt() throws Exception {
    var perProcess =
        TandemCli.run(
            Tandem.BIN,
            List.of("check", "--no-start", "--config", Tandem.EXAMPLES.toString()),
            env(null),
            null);
    assertEquals(0, perProcess.status(), perProcess.stderr());
    assertTrue(
        perProcess.stdout().contains("requestState key: random per process"), perProcess.stdout());

    var fromEnv =
        TandemCli.run(
            Tandem.BIN,
            List.of("check", "--no-start", "--config", Tandem.EXAMPLES.toString()),
            env(KEY + ",old-" + KEY),
            null);
    assertEquals(0, fromEnv.status(), fromEnv.stderr());
    assertTrue(
        fromEnv
            .stdout()
            .contains("requestState key: 2 keys (the first signs) from TANDEM_STATE_KEY"),
        fromEnv.stdout());
    assertFalse((fromEnv.stdout() + fromEnv.stderr()).contains(KEY), "the key is never shown");
  }

  @Test
  void aKeyFileOthersCanReadStopsCheckAndServeBeforeAnyWorkerStarts() throws Exception {
    Path file = dir.resolve("state.key");
    Files.writeString(file, KEY + "\n");
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
    String set = "http.state_key_file=" + file;
    var check =
        TandemCli.run(
            Tandem.BIN,
            List.of("check", "--no-start", "--config", Tandem.EXAMPLES.toString(), "--set", set),
            env(null),
            null);
    assertEquals(1, check.status(), check.stdout());
    assertTrue(check.stderr().contains("chmod 600 " + file), check.stderr());
    assertFalse(check.stderr().contains(KEY), check.stderr());

    var serve =
        TandemCli.run(
            Tandem.BIN,
            List.of(
                "serve",
                "--http",
                "127.0.0.1:0",
                "--config",
                Tandem.EXAMPLES.toString(),
                "--set",
                set),
            env(null),
            null);
    assertEquals(2, serve.status(), serve.stderr());
    assertTrue(serve.stderr().contains("can be read or written by other users"), serve.stderr());
    assertFalse(serve.stderr().contains("ready"), "no worker started: " + serve.stderr());

    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
    var fixed =
        TandemCli.run(
            Tandem.BIN,
            List.of("check", "--no-start", "--config", Tandem.EXAMPLES.toString(), "--set", set),
            env(null),
            null);
    assertEquals(0, fixed.status(), fixed.stderr());
    assertTrue(fixed.stdout().contains("requestState key: 1 key from " + file), fixed.stdout());
  }

  private static Map<String, String> env(String stateKey) {
    java.util.HashMap<String, String> env = new java.util.HashMap<>();
    env.put("TANDEM_STATE_KEY", stateKey); // null removes it
    env.put("XDG_RUNTIME_DIR", System.getProperty("java.io.tmpdir"));
    return env;
  }
}
