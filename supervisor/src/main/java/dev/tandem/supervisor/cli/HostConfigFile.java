package dev.tandem.supervisor.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.core.util.Separators;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.protocol.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Map;

/**
 * A host's JSON config file ({@code claude_desktop_config.json}, {@code ~/.cursor/mcp.json}, {@code
 * .mcp.json}) with one entry under {@code mcpServers} added or replaced, and everything else kept
 * as it was: other servers, other keys, their order. The file is a person's, so it is never
 * overwritten without a backup of the original bytes beside it, never half-written (a temporary
 * file is moved over it), and never touched at all if it is not valid JSON.
 */
final class HostConfigFile {

  /** What {@link #install} did: the file, its backup (null if none was needed), the new text. */
  record Outcome(Path file, Path backup, boolean changed, String text) {}

  /** Two-space indentation and {@code "key": value}, as the hosts' own files are written. */
  static final ObjectWriter WRITER =
      Json.MAPPER.writer(
          new DefaultPrettyPrinter(
                  Separators.createDefaultInstance()
                      .withObjectFieldValueSpacing(Separators.Spacing.AFTER))
              .withObjectIndenter(new DefaultIndenter("  ", "\n"))
              .withArrayIndenter(new DefaultIndenter("  ", "\n")));

  private HostConfigFile() {}

  /** The user's home as hosts see it: $HOME, which the JVM's user.home need not follow. */
  static Path home(Map<String, String> env) {
    String home = env.get("HOME");
    return Path.of(home != null && !home.isBlank() ? home : System.getProperty("user.home"));
  }

  /** The file's text with {@code mcpServers.<name>} set to {@code entry}; nothing else changes. */
  static String merged(Path file, String existing, String name, ObjectNode entry) {
    ObjectNode root;
    if (existing == null || existing.isBlank()) {
      root = Json.object();
    } else {
      JsonNode parsed;
      try {
        parsed = Json.MAPPER.readTree(existing);
      } catch (JsonProcessingException e) {
        throw new Main.UsageException(
            file
                + " is not valid JSON ("
                + e.getOriginalMessage()
                + " at line "
                + e.getLocation().getLineNr()
                + "); fix it or move it away, then run this again; it was left untouched");
      }
      if (!(parsed instanceof ObjectNode o)) {
        throw new Main.UsageException(
            file
                + " holds "
                + parsed.getNodeType().toString().toLowerCase()
                + ", not a JSON object; a host config file is an object with \"mcpServers\"; it was left untouched");
      }
      root = o;
    }
    JsonNode servers = root.get("mcpServers");
    if (servers == null || servers.isNull()) {
      servers = root.putObject("mcpServers");
    } else if (!(servers instanceof ObjectNode)) {
      throw new Main.UsageException(
          file
              + ": \"mcpServers\" is "
              + servers.getNodeType().toString().toLowerCase()
              + ", not an object of servers; fix it by hand; the file was left untouched");
    }
    ((ObjectNode) servers).set(name, entry);
    try {
      return WRITER.writeValueAsString(root) + "\n";
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Adds or replaces the entry in {@code file}, backing up the original first. */
  static Outcome install(Path file, String name, ObjectNode entry) throws IOException {
    // A dotfiles manager's symlink stays a symlink: the file it points at is the one updated.
    if (Files.isSymbolicLink(file)) file = file.toRealPath();
    String before = Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : null;
    String after = merged(file, before, name, entry);
    if (before != null) {
      JsonNode old =
          before.isBlank() ? null : Json.MAPPER.readTree(before).path("mcpServers").get(name);
      if (entry.equals(old)) return new Outcome(file, null, false, before);
    }
    Path backup = null;
    if (before != null) {
      backup = file.resolveSibling(file.getFileName() + ".bak");
      if (Files.exists(backup)) {
        backup =
            file.resolveSibling(
                file.getFileName()
                    + ".bak-"
                    + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
      }
      Files.copy(file, backup, StandardCopyOption.COPY_ATTRIBUTES);
    } else {
      Files.createDirectories(file.toAbsolutePath().getParent());
    }
    Path temp =
        Files.createTempFile(file.toAbsolutePath().getParent(), "." + file.getFileName(), ".tmp");
    try {
      Files.writeString(temp, after, StandardCharsets.UTF_8);
      if (before != null) {
        // Keep the owner-only mode a file holding API keys in its env entries may have.
        Files.setPosixFilePermissions(temp, Files.getPosixFilePermissions(file));
      }
      try {
        Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING);
      }
    } finally {
      Files.deleteIfExists(temp);
    }
    return new Outcome(file, backup, true, after);
  }
}
