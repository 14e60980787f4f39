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
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * README's snippets, run or checked against the real thing: its tool and its tandem.toml serve
 * together as written, its host entry is what install-host writes, its reload answer and runtime
 * file have the fields tandem sends, and every command its shell blocks name exists. A README that
 * drifts from the code fails here.
 */
class ReadmeSnippetsTest {

  static final Path README = Tandem.HOME.resolve("README.md");

  /** The fenced blocks of one language, in order. */
  static List<String> blocks(String language) throws Exception {
    Matcher m =
        Pattern.compile("```" + language + "\\n(.*?)```", Pattern.DOTALL)
            .matcher(Files.readString(README));
    List<String> out = new ArrayList<>();
    while (m.find()) out.add(m.group(1));
    assertFalse(out.isEmpty(), "README has no ```" + language + " block");
    return out;
  }

  @Test
  void theToolAndTheConfigServeTogetherAsWritten(@TempDir Path dir) throws Exception {
    String tool =
        blocks("python").stream()
            .filter(b -> b.startsWith("# tools/notes.py"))
            .findFirst()
            .orElseThrow();
    String toml =
        blocks("toml").stream()
            .filter(b -> b.startsWith("# tandem.toml"))
            .findFirst()
            .orElseThrow();
    Files.createDirectories(dir.resolve("tools"));
    Files.writeString(dir.resolve("tools/notes.py"), tool);
    Path config = dir.resolve("tandem.toml");
    Files.writeString(config, toml);
    try (DaemonProcess daemon = DaemonProcess.serve(config)) {
      daemon.initialize();
      ObjectArgs args = new ObjectArgs();
      JsonNode answer =
          daemon.request("1", "tools/call", args.call("summarize", "Title\none\ntwo"));
      assertFalse(answer.at("/result/isError").asBoolean(), answer.toString());
      assertEquals(
          "Title", answer.at("/result/structuredContent/title").asText(), answer.toString());
      assertEquals(List.of("one", "two"), texts(answer.at("/result/structuredContent/bullets")));

      // The tandem/reload answer README shows, field for field.
      JsonNode reload =
          daemon.request(
              "7", "tandem/reload", DaemonProcess.JSON.readTree("{\"pools\": [\"notes\"]}"));
      JsonNode shown = DaemonProcess.JSON.readTree(reloadAnswerShown());
      assertEquals(fields(shown.get("result")), fields(reload.get("result")), reload.toString());
      assertEquals(
          fields(shown.at("/result/pools/0")),
          fields(reload.at("/result/pools/0")),
          reload.toString());
      assertEquals(
          fields(shown.at("/result/pools/0/tools")),
          fields(reload.at("/result/pools/0/tools")),
          reload.toString());
    }
  }

  @Test
  void theHostEntryIsWhatInstallHostWrites(@TempDir Path home) throws Exception {
    JsonNode shown =
        DaemonProcess.JSON.readTree(
            blocks("json").stream()
                .filter(b -> b.contains("\"mcpServers\""))
                .findFirst()
                .orElseThrow());
    Path config = Tandem.config(home.resolve("project"), Tandem.examplesPool("notes", 1));
    TandemCli.Result r =
        TandemCli.run(
            Tandem.BIN,
            List.of("install-host", "cursor", "--print", "--config", config.toString()),
            Map.of("HOME", home.toString()),
            home);
    assertEquals(0, r.status(), r.toString());
    JsonNode written = DaemonProcess.JSON.readTree(r.stdout()).at("/mcpServers/tandem");
    JsonNode readme = shown.at("/mcpServers/tandem");
    assertEquals(
        fields(readme),
        fields(written),
        "README's entry has the fields install-host writes: " + written);
    assertEquals(fields(readme.get("env")), fields(written.get("env")), written.toString());
    assertEquals(
        texts(readme.get("args")).subList(0, 2),
        texts(written.get("args")).subList(0, 2),
        written.toString());

    // The claude mcp add line README shows is the one install-host prints, but for TANDEM_PYTHON.
    String line =
        blocks("sh").stream()
            .flatMap(String::lines)
            .filter(l -> l.startsWith("claude mcp add tandem --"))
            .findFirst()
            .orElseThrow();
    TandemCli.Result cc =
        TandemCli.run(
            Tandem.BIN,
            List.of("install-host", "claude-code", "--config", config.toString()),
            Map.of("HOME", home.toString()),
            home);
    assertEquals(0, cc.status(), cc.toString());
    String printed = cc.stdout().strip().replaceFirst(" -e TANDEM_PYTHON=\\S+", "");
    assertEquals(
        line.replace("/path/to/tandem/bin/tandem", Tandem.BIN.toString())
            .replace("/path/to/tandem.toml", config.toString()),
        printed);
  }

  @Test
  void theRuntimeFileShownHasTheFieldsTandemWrites(@TempDir Path dir) throws Exception {
    JsonNode shown =
        DaemonProcess.JSON.readTree(
            blocks("json").stream()
                .filter(b -> b.startsWith("{\"url\""))
                .findFirst()
                .orElseThrow());
    // Not opted out of the token: the generated one is in the file, as README shows.
    try (HttpDaemon daemon =
        HttpDaemon.serve(null, Map.of("XDG_RUNTIME_DIR", dir.toString()), false)) {
      JsonNode written =
          DaemonProcess.JSON.readTree(Files.readString(dir.resolve("tandem/daemon.json")));
      assertEquals(fields(shown), fields(written), written.toString());
    }
  }

  @Test
  void everyCommandTheShellBlocksNameExists() throws Exception {
    String makefile = Files.readString(Tandem.HOME.resolve("Makefile"));
    Set<String> checked = new TreeSet<>();
    for (String block : blocks("sh")) {
      for (String line : block.lines().toList()) {
        String command = line.replaceFirst("\\s+#.*$", "").strip();
        Matcher make = Pattern.compile("^make (\\S+)").matcher(command);
        if (make.find()) {
          assertTrue(
              Pattern.compile("(?m)^" + Pattern.quote(make.group(1)) + ":")
                  .matcher(makefile)
                  .find(),
              "README runs make " + make.group(1) + ", which the Makefile has no target for");
          checked.add("make " + make.group(1));
        }
        Matcher tandem =
            Pattern.compile("(?:^|\\s)(?:bin/|~/.local/bin/)tandem (\\S+)((?: --?[a-z-]+)*)")
                .matcher(command);
        if (tandem.find()) {
          List<String> argv = new ArrayList<>(List.of(tandem.group(1)));
          for (String option : tandem.group(2).strip().split(" "))
            if (!option.isEmpty()) argv.add(option);
          argv.add("--help");
          TandemCli.Result help = TandemCli.run(Tandem.BIN, argv, Map.of(), null);
          assertEquals(0, help.status(), "README's '" + command + "': " + help);
          checked.add("tandem " + String.join(" ", argv.subList(0, argv.size() - 1)));
        }
      }
    }
    assertTrue(
        checked.containsAll(
            List.of("make run", "make test", "tandem serve --http", "tandem install-host")),
        checked.toString());
  }

  private static String reloadAnswerShown() throws Exception {
    String block =
        blocks("json").stream().filter(b -> b.contains("tandem/reload")).findFirst().orElseThrow();
    String answer = block.substring(block.indexOf("← ") + 2);
    return answer.replaceAll("\\n\\s+", " ");
  }

  private static Set<String> fields(JsonNode node) {
    Set<String> names = new TreeSet<>();
    if (node != null) node.fieldNames().forEachRemaining(names::add);
    return names;
  }

  private static List<String> texts(JsonNode array) {
    List<String> out = new ArrayList<>();
    array.forEach(n -> out.add(n.asText()));
    return out;
  }

  /** tools/call params for README's summarize. */
  private static final class ObjectArgs {
    JsonNode call(String tool, String text) {
      var params = DaemonProcess.JSON.createObjectNode().put("name", tool);
      params.putObject("arguments").put("text", text);
      return params;
    }
  }
}
