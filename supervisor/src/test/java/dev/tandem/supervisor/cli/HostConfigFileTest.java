package dev.tandem.supervisor.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.protocol.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HostConfigFileTest {

  @TempDir Path dir;

  private static ObjectNode entry(String config) {
    ObjectNode e = Json.object().put("command", "/opt/tandem/bin/tandem");
    e.putArray("args").add("serve").add("--config").add(config);
    return e;
  }

  @Test
  void keepsOtherServersAndKeysInTheirOrderAndBacksUpTheOriginal() throws Exception {
    Path file = dir.resolve("claude_desktop_config.json");
    String original =
        "{\"globalShortcut\":\"Ctrl+Space\",\"mcpServers\":{\"fs\":{\"command\":\"npx\"}},\"zeta\":[1,2]}";
    Files.writeString(file, original);
    HostConfigFile.Outcome done = HostConfigFile.install(file, "tandem", entry("/a.toml"));
    assertTrue(done.changed());
    assertEquals(original, Files.readString(done.backup()));
    JsonNode now = Json.MAPPER.readTree(Files.readString(file));
    assertEquals(List.of("globalShortcut", "mcpServers", "zeta"), names(now));
    assertEquals(List.of("fs", "tandem"), names(now.get("mcpServers")));
    assertEquals("npx", now.at("/mcpServers/fs/command").asText());
    assertEquals("/a.toml", now.at("/mcpServers/tandem/args/2").asText());
  }

  @Test
  void theSameEntryAgainChangesNothingAndMakesNoBackup() throws Exception {
    Path file = dir.resolve("mcp.json");
    HostConfigFile.Outcome first = HostConfigFile.install(file, "tandem", entry("/a.toml"));
    assertTrue(first.changed());
    assertNull(first.backup(), "a file that did not exist has nothing to back up");
    HostConfigFile.Outcome second = HostConfigFile.install(file, "tandem", entry("/a.toml"));
    assertFalse(second.changed());
    assertNull(second.backup());
    try (var files = Files.list(dir)) {
      assertEquals(1, files.count());
    }
  }

  @Test
  void aSecondChangeKeepsTheFirstBackup() throws Exception {
    Path file = dir.resolve("mcp.json");
    Files.writeString(file, "{}");
    HostConfigFile.install(file, "tandem", entry("/a.toml"));
    HostConfigFile.Outcome again = HostConfigFile.install(file, "tandem", entry("/b.toml"));
    assertEquals("{}", Files.readString(dir.resolve("mcp.json.bak")));
    assertTrue(
        again.backup().getFileName().toString().startsWith("mcp.json.bak-"),
        again.backup().toString());
  }

  @Test
  void aFileThatIsNotJsonIsLeftUntouched() throws Exception {
    Path file = dir.resolve("mcp.json");
    Files.writeString(file, "{ \"mcpServers\": { ,, }");
    Main.UsageException e =
        assertThrows(
            Main.UsageException.class,
            () -> HostConfigFile.install(file, "tandem", entry("/a.toml")));
    assertTrue(e.getMessage().contains("is not valid JSON"), e.getMessage());
    assertTrue(e.getMessage().contains("left untouched"), e.getMessage());
    assertEquals("{ \"mcpServers\": { ,, }", Files.readString(file));
    assertFalse(Files.exists(dir.resolve("mcp.json.bak")));
  }

  @Test
  void anOwnerOnlyFileStaysOwnerOnly() throws Exception {
    Path file = dir.resolve("mcp.json");
    Files.writeString(file, "{\"mcpServers\":{}}");
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
    HostConfigFile.install(file, "tandem", entry("/a.toml"));
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
  }

  private static List<String> names(JsonNode node) {
    List<String> out = new java.util.ArrayList<>();
    node.fieldNames().forEachRemaining(out::add);
    return out;
  }
}
