package dev.tandem.supervisor.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HttpTokenTest {

  @Test
  void theTokenIsMadeOnceInAPrivateFileAndKept(@TempDir Path dir) throws Exception {
    Path file = HttpToken.location(Map.of("XDG_RUNTIME_DIR", dir.toString()));
    assertEquals(dir.resolve("tandem/http-token"), file);
    String token = HttpToken.loadOrCreate(file);
    assertEquals(43, token.length(), "256 bits, base64url without padding");
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
    assertEquals(
        "rwx------",
        PosixFilePermissions.toString(Files.getPosixFilePermissions(file.getParent())));
    assertEquals(token, HttpToken.loadOrCreate(file));
    Files.delete(file);
    assertNotEquals(token, HttpToken.loadOrCreate(file));
  }

  @Test
  void aTokenFileOthersCouldReadIsRefused(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("http-token");
    Files.writeString(file, "leaked-token-0123456789\n");
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
    IOException e = assertThrows(IOException.class, () -> HttpToken.loadOrCreate(file));
    assertTrue(e.getMessage().contains("readable or writable by other users"), e.getMessage());
  }
}
