package dev.tandem.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code tandem install-host} against real host config files in a temporary HOME: what was there
 * (other servers, other keys, their order) survives, the original is kept as a backup, and the
 * entry it writes starts a tandem that answers.
 */
class InstallHostRoundTripTest {

  private static final String DESKTOP_BEFORE =
      """
      {
        "globalShortcut": "Ctrl+Alt+Space",
        "mcpServers": {
          "filesystem": {
            "command": "npx",
            "args": ["-y", "@modelcontextprotocol/server-filesystem", "/home/me/notes"]
          },
          "tandem": {"command": "/old/place/bin/tandem", "args": ["serve"]}
        },
        "preferences": {"theme": "dark"}
      }
      """;

  @Test
  void claudeDesktopKeepsWhatWasThereAndBacksItUp(@TempDir Path home) throws Exception {
    Path file = home.resolve(".config/Claude/claude_desktop_config.json");
    Files.createDirectories(file.getParent());
    Files.writeString(file, DESKTOP_BEFORE);
    Path config = Tandem.config(home.resolve("project"), Tandem.examplesPool("notes", 1));

    TandemCli.Result r =
        run(home, List.of("install-host", "claude-desktop", "--config", config.toString()));
    assertEquals(0, r.status(), r.toString());
    assertTrue(r.stdout().contains("previous file is saved as " + file + ".bak"), r.toString());
    assertEquals(
        DESKTOP_BEFORE,
        Files.readString(home.resolve(".config/Claude/claude_desktop_config.json.bak")));

    JsonNode now = DaemonProcess.JSON.readTree(Files.readString(file));
    assertEquals(List.of("globalShortcut", "mcpServers", "preferences"), names(now));
    assertEquals("Ctrl+Alt+Space", now.get("globalShortcut").asText());
    assertEquals("dark", now.at("/preferences/theme").asText());
    assertEquals(List.of("filesystem", "tandem"), names(now.get("mcpServers")));
    assertEquals("/home/me/notes", now.at("/mcpServers/filesystem/args/2").asText());
    JsonNode tandem = now.at("/mcpServers/tandem");
    assertEquals(Tandem.BIN.toString(), tandem.get("command").asText());
    assertEquals(List.of("serve", "--config", config.toString()), strings(tandem.get("args")));
    assertTrue(
        Files.isExecutable(Path.of(tandem.at("/env/TANDEM_PYTHON").asText())), tandem.toString());

    // Again: nothing to do, no second backup.
    TandemCli.Result again =
        run(home, List.of("install-host", "claude-desktop", "--config", config.toString()));
    assertEquals(0, again.status(), again.toString());
    assertTrue(again.stdout().contains("nothing changed"), again.toString());
    try (var files = Files.list(file.getParent())) {
      assertEquals(2, files.count(), "the file and one backup");
    }

    // The entry as written starts a tandem that serves the configured tools.
    List<String> argv = new ArrayList<>(List.of(tandem.get("command").asText()));
    argv.addAll(strings(tandem.get("args")));
    argv.addAll(List.of("--help"));
    TandemCli.Result help =
        TandemCli.run(Path.of(argv.get(0)), argv.subList(1, argv.size()), Map.of(), null);
    assertEquals(0, help.status(), help.toString());
    TandemCli.Result check =
        TandemCli.run(
            Path.of(argv.get(0)), List.of("check", "--config", config.toString()), Map.of(), null);
    assertTrue(check.stdout().contains("echo"), check.toString());
  }

  @Test
  void cursorGetsAFileCreatedWhereThereWasNone(@TempDir Path home) throws Exception {
    TandemCli.Result r = run(home, List.of("install-host", "cursor"));
    assertEquals(0, r.status(), r.toString());
    Path file = home.resolve(".cursor/mcp.json");
    JsonNode now = DaemonProcess.JSON.readTree(Files.readString(file));
    assertEquals(
        List.of("serve"),
        strings(now.at("/mcpServers/tandem/args")),
        "no --config: the bundled examples");
    assertFalse(Files.exists(home.resolve(".cursor/mcp.json.bak")), "nothing existed to back up");
  }

  @Test
  void printChangesNothing(@TempDir Path home) throws Exception {
    Path file = home.resolve(".cursor/mcp.json");
    Files.createDirectories(file.getParent());
    Files.writeString(
        file, "{\"mcpServers\": {\"other\": {\"url\": \"https://example.com/mcp\"}}}");
    TandemCli.Result r = run(home, List.of("install-host", "cursor", "--print", "--name", "notes"));
    assertEquals(0, r.status(), r.toString());
    JsonNode printed = DaemonProcess.JSON.readTree(r.stdout());
    assertEquals(List.of("other", "notes"), names(printed.get("mcpServers")));
    assertEquals(
        "{\"mcpServers\": {\"other\": {\"url\": \"https://example.com/mcp\"}}}",
        Files.readString(file));
    try (var files = Files.list(file.getParent())) {
      assertEquals(1, files.count());
    }
    assertTrue(
        r.stderr().contains("what install-host would write to " + file + "; nothing was changed"),
        r.toString());
  }

  /**
   * Cursor reads a project's .cursor/mcp.json as well as the global one; --project writes the
   * project's.
   */
  @Test
  void cursorProjectWritesTheProjectsFileNotTheGlobalOne(@TempDir Path home) throws Exception {
    Path project = Files.createDirectories(home.resolve("project"));
    TandemCli.Result r =
        TandemCli.run(
            Tandem.BIN,
            List.of("install-host", "cursor", "--project"),
            Map.of("HOME", home.toString()),
            project);
    assertEquals(0, r.status(), r.toString());
    Path file = project.resolve(".cursor/mcp.json");
    assertTrue(r.stdout().startsWith(file + ": created with the \"tandem\" server"), r.toString());
    assertEquals(
        List.of("serve"),
        strings(DaemonProcess.JSON.readTree(Files.readString(file)).at("/mcpServers/tandem/args")));
    assertFalse(Files.exists(home.resolve(".cursor/mcp.json")), "the global file is not touched");

    TandemCli.Result wrongHost =
        TandemCli.run(
            Tandem.BIN,
            List.of("install-host", "claude-desktop", "--project"),
            Map.of("HOME", home.toString()),
            project);
    assertEquals(2, wrongHost.status(), wrongHost.toString());
    assertTrue(wrongHost.stderr().contains("--project is for cursor"), wrongHost.toString());
  }

  @Test
  void claudeCodePrintsTheCommandOrWritesProjectMcpJson(@TempDir Path home) throws Exception {
    Path project = Files.createDirectories(home.resolve("project"));
    TandemCli.Result printed =
        TandemCli.run(
            Tandem.BIN,
            List.of("install-host", "claude-code"),
            Map.of("HOME", home.toString()),
            project);
    assertEquals(0, printed.status(), printed.toString());
    assertTrue(
        printed.stdout().startsWith("claude mcp add tandem -e TANDEM_PYTHON="), printed.toString());
    assertTrue(
        printed.stdout().strip().endsWith("-- " + Tandem.BIN + " serve"), printed.toString());
    assertFalse(Files.exists(project.resolve(".mcp.json")));

    Files.writeString(
        project.resolve(".mcp.json"),
        "{\"mcpServers\": {\"db\": {\"type\": \"stdio\", \"command\": \"db-mcp\"}}}\n");
    TandemCli.Result written =
        TandemCli.run(
            Tandem.BIN,
            List.of("install-host", "claude-code", "--write"),
            Map.of("HOME", home.toString()),
            project);
    assertEquals(0, written.status(), written.toString());
    JsonNode now = DaemonProcess.JSON.readTree(Files.readString(project.resolve(".mcp.json")));
    assertEquals(List.of("db", "tandem"), names(now.get("mcpServers")));
    assertEquals("stdio", now.at("/mcpServers/tandem/type").asText());
    assertTrue(Files.exists(project.resolve(".mcp.json.bak")));
  }

  /**
   * --http: the entry is the daemon's URL with the token serve --http requires, generated now if no
   * daemon ran yet, and the daemon started afterwards accepts exactly that header.
   */
  @Test
  void httpEntriesCarryTheGeneratedTokenTheDaemonThenRequires(@TempDir Path home) throws Exception {
    Path runtime = Files.createDirectories(home.resolve("run"));
    Map<String, String> env =
        Map.of("HOME", home.toString(), "XDG_RUNTIME_DIR", runtime.toString());
    TandemCli.Result printed =
        TandemCli.run(Tandem.BIN, List.of("install-host", "claude-code", "--http"), env, home);
    assertEquals(0, printed.status(), printed.toString());
    String token = Files.readString(runtime.resolve("tandem/http-token")).trim();
    assertEquals(
        "claude mcp add --transport http tandem http://127.0.0.1:8765/mcp --header 'Authorization: Bearer "
            + token
            + "'",
        printed.stdout().strip());

    Path cursorFile = home.resolve(".cursor/mcp.json");
    try (HttpDaemon daemon =
        HttpDaemon.serve(null, Map.of("XDG_RUNTIME_DIR", runtime.toString()), false)) {
      TandemCli.Result written =
          TandemCli.run(Tandem.BIN, List.of("install-host", "cursor", "--http"), env, home);
      assertEquals(0, written.status(), written.toString());
      JsonNode entry =
          DaemonProcess.JSON.readTree(Files.readString(cursorFile)).at("/mcpServers/tandem");
      assertEquals(
          daemon.mcp().toString(),
          entry.get("url").asText(),
          "the running daemon's URL, from its runtime file");
      assertEquals(
          "rw-------",
          java.nio.file.attribute.PosixFilePermissions.toString(
              Files.getPosixFilePermissions(cursorFile)));
      String header = entry.at("/headers/Authorization").asText();
      assertEquals("Bearer " + token, header);
      assertEquals(
          "tandem",
          daemon
              .client(Map.of("Authorization", header))
              .initialize()
              .at("/result/serverInfo/name")
              .asText());
    }
    TandemCli.Result desktop =
        TandemCli.run(Tandem.BIN, List.of("install-host", "claude-desktop", "--http"), env, home);
    assertEquals(2, desktop.status(), desktop.toString());
    assertTrue(desktop.stderr().contains("stdio servers only"), desktop.toString());
  }

  @Test
  void aBrokenHostFileIsLeftAsItWas(@TempDir Path home) throws Exception {
    Path file = home.resolve(".cursor/mcp.json");
    Files.createDirectories(file.getParent());
    Files.writeString(file, "{\"mcpServers\": {\"a\": 1,}");
    TandemCli.Result r = run(home, List.of("install-host", "cursor"));
    assertEquals(2, r.status(), r.toString());
    assertTrue(
        r.stderr().startsWith("tandem install-host: " + file + " is not valid JSON"), r.toString());
    assertEquals("{\"mcpServers\": {\"a\": 1,}", Files.readString(file));
  }

  private static TandemCli.Result run(Path home, List<String> args) throws Exception {
    return TandemCli.run(
        Tandem.BIN,
        args,
        Map.of("HOME", home.toString(), "XDG_CONFIG_HOME", home.resolve(".config").toString()),
        home);
  }

  private static List<String> names(JsonNode node) {
    List<String> out = new ArrayList<>();
    node.fieldNames().forEachRemaining(out::add);
    return out;
  }

  private static List<String> strings(JsonNode array) {
    List<String> out = new ArrayList<>();
    array.forEach(n -> out.add(n.asText()));
    return out;
  }
}
