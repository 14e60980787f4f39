package dev.tandem.supervisor.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tandem.protocol.Json;
import dev.tandem.supervisor.config.ConfigException;
import dev.tandem.supervisor.log.Secrets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Where the requestState keys come from, what a key file must be, and how rotation verifies. */
class StateKeysTest {

  private static final String OLD = "old-key-0123456789abcdefghijklmnopqrstuvwxyz";
  private static final String NEW = "new-key-0123456789abcdefghijklmnopqrstuvwxyz";

  @TempDir Path dir;

  private static JsonNode params() throws Exception {
    return Json.MAPPER.readTree("{\"name\": \"ask\"}");
  }

  private static String issue(StateKeys keys) throws Exception {
    return new RequestState(Clock.systemUTC(), keys)
        .issue("h", 0, "tools/call", params(), "p", 60_000);
  }

  private static RequestState.Claims verify(StateKeys keys, String token) throws Exception {
    return new RequestState(Clock.systemUTC(), keys).verify(token, "tools/call", params(), "p");
  }

  private Path keyFile(String text, String mode) throws Exception {
    Path file = dir.resolve("state.key");
    Files.writeString(file, text);
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString(mode));
    return file;
  }

  @Test
  void replicasWithTheSameKeyAcceptEachOthersTokens() throws Exception {
    StateKeys a = StateKeys.load(null, Map.of(StateKeys.ENV, NEW));
    StateKeys b = StateKeys.load(keyFile(NEW + "\n", "rw-------"), Map.of());
    assertEquals("h", verify(b, issue(a)).handle());
    assertEquals("h", verify(a, issue(b)).handle());
    assertTrue(a.shared());
  }

  @Test
  void perProcessKeysRefuseEachOthersTokensAndSayWhatToSet() throws Exception {
    // Two daemons: the per-process key is drawn once per JVM, so the other one is a given key.
    String token = issue(StateKeys.load(null, Map.of(StateKeys.ENV, OLD)));
    var e = assertThrows(RequestState.Rejected.class, () -> verify(StateKeys.perProcess(), token));
    assertTrue(e.getMessage().contains("another tandem replica"), e.getMessage());
    assertTrue(e.getMessage().contains(StateKeys.ENV), e.getMessage());
    assertFalse(StateKeys.perProcess().shared());
  }

  @Test
  void rotationTheFirstKeySignsEveryKeyVerifies() throws Exception {
    StateKeys before = StateKeys.load(null, Map.of(StateKeys.ENV, OLD));
    StateKeys during =
        StateKeys.load(
            keyFile("# rotated in\n" + NEW + "\n\n" + OLD + "\n", "r--------"), Map.of());
    StateKeys after = StateKeys.load(null, Map.of(StateKeys.ENV, NEW));
    // A token from before the rotation still verifies during it...
    assertEquals("h", verify(during, issue(before)).handle());
    // ...and what is signed during it is signed with the new key, so it outlives the old one.
    assertEquals("h", verify(after, issue(during)).handle());
    assertThrows(RequestState.Rejected.class, () -> verify(before, issue(during)));
    assertThrows(RequestState.Rejected.class, () -> verify(after, issue(before)));
    assertTrue(during.describe().contains("2 keys"), during.describe());
  }

  @Test
  void theVariableTakesACommaSeparatedListAndWinsOverTheFile() throws Exception {
    Path file = keyFile(OLD, "rw-------");
    StateKeys keys = StateKeys.load(file, Map.of(StateKeys.ENV, NEW + ", " + OLD));
    assertTrue(keys.describe().contains("2 keys"), keys.describe());
    assertTrue(keys.describe().contains(StateKeys.ENV), keys.describe());
    assertEquals(
        "h", verify(StateKeys.load(null, Map.of(StateKeys.ENV, NEW)), issue(keys)).handle());
  }

  @Test
  void aKeyFileOthersCanReadIsRefusedLikeSshDoes() throws Exception {
    for (String mode : new String[] {"rw-r--r--", "rw-r-----", "rw-----w-"}) {
      Path file = keyFile(NEW, mode);
      var e = assertThrows(ConfigException.class, () -> StateKeys.load(file, Map.of()), mode);
      assertTrue(e.getMessage().contains("chmod 600 " + file), e.getMessage());
      assertFalse(e.getMessage().contains(NEW), "the key itself is never in the message");
    }
  }

  @Test
  void shortEmptyOrMissingKeysAreRefusedClearly() throws Exception {
    var shortKey =
        assertThrows(
            ConfigException.class,
            () -> StateKeys.load(null, Map.of(StateKeys.ENV, "hunter2hunter2")));
    assertTrue(shortKey.getMessage().contains("at least 32"), shortKey.getMessage());
    assertFalse(shortKey.getMessage().contains("hunter2hunter2"), shortKey.getMessage());
    var empty =
        assertThrows(
            ConfigException.class,
            () -> StateKeys.load(keyFile("# none yet\n", "rw-------"), Map.of()));
    assertTrue(empty.getMessage().contains("holds no requestState key"), empty.getMessage());
    Path missing = dir.resolve("nope.key");
    var absent = assertThrows(ConfigException.class, () -> StateKeys.load(missing, Map.of()));
    assertTrue(absent.getMessage().contains("does not exist"), absent.getMessage());
  }

  @Test
  void givenKeysAreNeverLoggedOrDescribed() throws Exception {
    StateKeys keys = StateKeys.load(null, Map.of(StateKeys.ENV, NEW + "," + OLD));
    assertFalse(keys.describe().contains(NEW) || keys.describe().contains(OLD), keys.describe());
    assertFalse(Secrets.redact("key " + OLD).contains(OLD));
  }
}
