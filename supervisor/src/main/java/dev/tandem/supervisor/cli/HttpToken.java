package dev.tandem.supervisor.cli;

import dev.tandem.supervisor.session.Secure;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;
import java.util.Map;
import java.util.Set;

/**
 * The bearer token {@code serve --http} requires when the config names none: 256 random bits,
 * generated on the first start and kept for later ones in {@code http-token} beside the runtime
 * file ({@code $XDG_RUNTIME_DIR/tandem/}, else {@code ~/.cache/tandem/}), a 0600 file in a 0700
 * directory. Whoever can read it is this user: that is the point. Other local users (who can reach
 * a loopback port as easily as the owner) get 401; the owner's own tools ({@code tandem call},
 * {@code tandem status}, {@code tandem.connect()}) read it through {@code daemon.json}, which names
 * it while this daemon uses it, and {@code install-host --http} reads it here.
 *
 * <p>Kept, not regenerated each start, so a host configured with it keeps working across restarts
 * (until the runtime directory is cleared, at logout or reboot where it is a tmpfs).
 */
final class HttpToken {

  static final String FILE_NAME = "http-token";
  private static final Set<PosixFilePermission> OWNER_RW =
      PosixFilePermissions.fromString("rw-------");
  private static final Set<PosixFilePermission> OWNER_RWX =
      PosixFilePermissions.fromString("rwx------");

  private HttpToken() {}

  static Path location(Map<String, String> env) {
    return RuntimeFile.location(env).resolveSibling(FILE_NAME);
  }

  /**
   * The token in {@code file}, created first if there is none; two daemons starting at once agree.
   */
  static String loadOrCreate(Path file) throws IOException {
    String existing = read(file);
    if (existing != null) return existing;
    Path dir = file.getParent();
    Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(OWNER_RWX));
    Files.setPosixFilePermissions(dir, OWNER_RWX);
    byte[] bytes = new byte[32];
    Secure.RANDOM.nextBytes(bytes);
    String token = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    Path tmp =
        Files.createTempFile(
            dir, "http-token.", ".tmp", PosixFilePermissions.asFileAttribute(OWNER_RW));
    try {
      Files.writeString(tmp, token + "\n", StandardCharsets.UTF_8);
      // A hard link fails if the name exists: the first of two racing daemons wins, the other reads
      // it.
      Files.createLink(file, tmp);
      return token;
    } catch (FileAlreadyExistsException e) {
      String raced = read(file);
      if (raced == null)
        throw new IOException(
            file + " appeared empty while another daemon created it; start again");
      return raced;
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  /** The token in {@code file}, or null if there is none. Refuses a file others could have read. */
  static String read(Path file) throws IOException {
    String text;
    try {
      if (!Files.getPosixFilePermissions(file, LinkOption.NOFOLLOW_LINKS).equals(OWNER_RW)) {
        throw new IOException(
            file
                + " is readable or writable by other users (it must be 0600); "
                + "remove it, and a new token is generated at the next serve --http");
      }
      text = Files.readString(file, StandardCharsets.UTF_8).trim();
    } catch (NoSuchFileException e) {
      return null;
    }
    return text.isEmpty() ? null : text;
  }
}
