package dev.tandem.supervisor.session;

import dev.tandem.supervisor.config.ConfigException;
import dev.tandem.supervisor.log.Secrets;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.crypto.spec.SecretKeySpec;

/**
 * The HMAC keys behind {@link RequestState}. Replicas behind a load balancer must share them, or a
 * 2026-07-28 retry that lands on another replica than the one that issued its requestState is
 * refused. They come from {@value #ENV} (keys separated by commas) or from {@code [http]
 * state_key_file} (one key per line, {@code #} comments), the variable winning as {@code
 * TANDEM_HTTP_TOKEN} does. A list rotates: the first key signs, every key verifies, so a new key
 * goes first on every replica while the old one stays second until the requestStates it signed have
 * expired. Without either, the process draws its own key: fine for one daemon, a refusal for every
 * retry that reaches another replica.
 */
public final class StateKeys {

  public static final String ENV = "TANDEM_STATE_KEY";

  /** 32 characters of base64 carry 192 bits: less is a password, not a key. */
  static final int MIN_CHARS = 32;

  private static final Set<PosixFilePermission> OTHERS =
      Set.of(
          PosixFilePermission.GROUP_READ,
          PosixFilePermission.GROUP_WRITE,
          PosixFilePermission.GROUP_EXECUTE,
          PosixFilePermission.OTHERS_READ,
          PosixFilePermission.OTHERS_WRITE,
          PosixFilePermission.OTHERS_EXECUTE);

  /** Drawn on the first 2026-07-28 call that needs it, not at start (see {@link Secure}). */
  private static final class Random {
    static final List<SecretKeySpec> KEY = List.of(draw());

    private static SecretKeySpec draw() {
      byte[] secret = new byte[32];
      Secure.RANDOM.nextBytes(secret);
      return new SecretKeySpec(secret, "HmacSHA256");
    }
  }

  private final List<SecretKeySpec> given;
  private final String origin;

  private StateKeys(List<SecretKeySpec> given, String origin) {
    this.given = given;
    this.origin = origin;
  }

  /** A key of this process's own: what a single daemon needs. */
  public static StateKeys perProcess() {
    return new StateKeys(null, "random per process");
  }

  /**
   * The shared keys from {@value #ENV} in {@code env}, else from {@code file} (null when the config
   * names none), else {@link #perProcess}. Throws {@link ConfigException} for a key file others can
   * read, a key too short, or a list with no key.
   */
  public static StateKeys load(Path file, Map<String, String> env) {
    String fromEnv = env.get(ENV);
    if (fromEnv != null && !fromEnv.isBlank()) {
      return new StateKeys(keys(List.of(fromEnv.split(",")), ENV), ENV);
    }
    if (file == null) return perProcess();
    return new StateKeys(keys(readPrivate(file), file.toString()), file.toString());
  }

  private static List<String> readPrivate(Path file) {
    try {
      if (!Files.isRegularFile(file)) {
        throw new ConfigException(
            "[http] state_key_file "
                + file
                + " does not exist or is not a file; create it with one key per line"
                + " (e.g. openssl rand -base64 32 > "
                + file
                + "; chmod 600 "
                + file
                + ")");
      }
      Set<PosixFilePermission> mode;
      try {
        mode = Files.getPosixFilePermissions(file);
      } catch (UnsupportedOperationException e) {
        mode = Set.of(); // no POSIX modes on this file system: nothing to check
      }
      if (mode.stream().anyMatch(OTHERS::contains)) {
        // As ssh does with a private key: a secret others can read is no longer a secret.
        throw new ConfigException(
            "[http] state_key_file "
                + file
                + " can be read or written by other users ("
                + java.nio.file.attribute.PosixFilePermissions.toString(mode)
                + "); tandem refuses a key file that is not private: chmod 600 "
                + file);
      }
      return Files.readAllLines(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new ConfigException(
          "cannot read [http] state_key_file " + file + ": " + e.getMessage(), e);
    }
  }

  private static List<SecretKeySpec> keys(List<String> lines, String where) {
    List<SecretKeySpec> keys = new ArrayList<>();
    for (String line : lines) {
      String key = line.strip();
      if (key.isEmpty() || key.startsWith("#")) continue;
      if (key.length() < MIN_CHARS) {
        throw new ConfigException(
            "key "
                + (keys.size() + 1)
                + " in "
                + where
                + " has "
                + key.length()
                + " characters; a requestState key needs at least "
                + MIN_CHARS
                + " (e.g. openssl rand -base64 32)");
      }
      Secrets.add("request-state key", key);
      keys.add(new SecretKeySpec(key.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
    }
    if (keys.isEmpty()) {
      throw new ConfigException(
          where
              + " holds no requestState key; put one per line (or unset it for a per-process key)");
    }
    return List.copyOf(keys);
  }

  /** The key that signs. */
  SecretKeySpec signing() {
    return all().get(0);
  }

  /** Every key a token may be signed with, the signing one first. */
  List<SecretKeySpec> all() {
    return given == null ? Random.KEY : given;
  }

  /** Whether replicas can share requestStates (a key was given, not drawn). */
  public boolean shared() {
    return given != null;
  }

  /** Where the keys come from and how many, never what they are: for logs and tandem check. */
  public String describe() {
    if (given == null) {
      return "requestState key: random per process (a 2026-07-28 retry must reach this same"
          + " daemon; set "
          + ENV
          + " or [http] state_key_file to share one between replicas)";
    }
    return "requestState key: "
        + given.size()
        + (given.size() == 1 ? " key" : " keys (the first signs)")
        + " from "
        + origin;
  }
}
