package dev.tandem.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code tandem check} on broken configurations: each is refused (exit 1) with its own message,
 * saying what is wrong, where, and what to do: found before a host is ever pointed at it, with the
 * same loader and the same worker runtime serve uses.
 */
class CheckBrokenConfigTest {

  /** Every case's first stderr line, to show no two breakages read alike. */
  private static final Map<String, String> FIRST_LINES = new HashMap<>();

  record Broken(
      String name,
      String toml,
      Map<String, String> files,
      Map<String, String> env,
      List<String> fragments) {
    @Override
    public String toString() {
      return name;
    }
  }

  static Stream<Arguments> brokenConfigs() {
    String examples = Tandem.HOME.resolve("examples/tools").toString();
    return Stream.of(
            new Broken(
                "missing module",
                """
            [[pool]]
            name = "ghost"
            modules = ["no_such_module_here"]
            """,
                Map.of(),
                Map.of(),
                List.of(
                    "pool \"ghost\" could not start: its module 'no_such_module_here' failed to import: "
                        + "ModuleNotFoundError: No module named 'no_such_module_here'")),
            new Broken(
                "syntax error in a tool",
                """
            [[pool]]
            name = "typo"
            modules = ["typo_tools"]
            path = "."
            """,
                Map.of(
                    "typo_tools.py",
                    "from tandem import tool\n\n@tool\ndef f(x: str) -> str\n    return x\n"),
                Map.of(),
                List.of(
                    "pool \"typo\" could not start: its module 'typo_tools' failed to import: SyntaxError: expected ':' (at ",
                    "typo_tools.py, line 4)",
                    "typo_tools.py\", line 4",
                    "SyntaxError: expected ':'")),
            new Broken(
                "module raising on import",
                """
            [[pool]]
            name = "broken"
            modules = ["broken_tools"]
            path = "."
            """,
                Map.of("broken_tools.py", "raise RuntimeError('the prompt file is missing')\n"),
                Map.of(),
                List.of(
                    "pool \"broken\" could not start", "RuntimeError: the prompt file is missing")),
            new Broken(
                "tool type without a schema",
                """
            [[pool]]
            name = "odd"
            modules = ["odd_tools"]
            path = "."
            """,
                Map.of(
                    "odd_tools.py",
                    "import socket\nfrom tandem import tool\n\n@tool\ndef f(s: socket.socket) -> str:\n    return ''\n"),
                Map.of(),
                List.of(
                    "pool \"odd\" could not start",
                    "type <class 'socket.socket'> has no JSON Schema in tandem; use str, int")),
            new Broken(
                "duplicate tool names across pools",
                """
            [[pool]]
            name = "first"
            modules = ["basics"]
            path = "%1$s"

            [[pool]]
            name = "second"
            modules = ["basics"]
            path = "%1$s"
            """
                    .formatted(examples),
                Map.of(),
                Map.of(),
                List.of(
                    "tool \"echo\" is served by both pool \"first\" and pool \"second\"; rename one of them or drop it from one pool")),
            new Broken(
                "unknown key",
                """
            [[pool]]
            name = "notes"
            command = ["true"]
            replica = 2
            """,
                Map.of(),
                Map.of(),
                List.of(
                    "tandem.toml: pool \"notes\": unknown key \"replica\"; did you mean \"replicas\"?; known keys are")),
            new Broken(
                "wrong type",
                """
            [[pool]]
            name = "notes"
            command = ["true"]
            replicas = "two"
            """,
                Map.of(),
                Map.of(),
                List.of(
                    "tandem.toml: pool \"notes\": replicas must be an integer from 1 to 64, got \"two\"")),
            new Broken(
                "path that is not a directory",
                """
            [[pool]]
            name = "notes"
            modules = ["notes"]
            path = "tools-that-moved"
            """,
                Map.of(),
                Map.of(),
                List.of(
                    "tandem.toml: pool \"notes\": path \"tools-that-moved\" is not a directory (resolved to ")),
            new Broken(
                "bad command",
                """
            [[pool]]
            name = "external"
            command = ["/no/such/mcp-server", "--stdio"]
            """,
                Map.of(),
                Map.of(),
                List.of(
                    "pool \"external\" could not start: could not start /no/such/mcp-server --stdio",
                    "No such file or directory")),
            new Broken(
                "TOML syntax error",
                """
            [[pool]]
            name = "notes
            """,
                Map.of(),
                Map.of(),
                List.of("tandem.toml: not valid TOML (line 2, column ")),
            new Broken(
                "modules and command both",
                """
            [[pool]]
            name = "both"
            modules = ["notes"]
            command = ["notes-server"]
            """,
                Map.of(),
                Map.of(),
                List.of(
                    "pool \"both\" needs exactly one of modules = [\"...\"] (Python tools) or command = [\"...\"] (any stdio MCP server)")),
            new Broken(
                "no pool at all",
                """
            [server]
            page_size = 10
            """,
                Map.of(),
                Map.of(),
                List.of(
                    "tandem.toml: no [[pool]] table; add one with name and modules (or command)")),
            new Broken(
                "python that does not exist",
                """
            [server]
            python = "/opt/no-python/bin/python3"

            [[pool]]
            name = "notes"
            modules = ["basics"]
            path = "%s"
            """
                    .formatted(examples),
                Map.of(),
                Map.of(),
                List.of(
                    "cannot run python \"/opt/no-python/bin/python3\"",
                    "install Python 3.11+ or set [server] python / TANDEM_PYTHON to its path")),
            new Broken(
                "environment override of the wrong type",
                """
            [[pool]]
            name = "notes"
            command = ["true"]
            """,
                Map.of(),
                Map.of("TANDEM_POOL_NOTES_REPLICAS", "lots"),
                List.of(
                    "TANDEM_POOL_NOTES_REPLICAS (overriding pool \"notes\" replicas of ",
                    "replicas must be an integer from 1 to 64, got \"lots\"")))
        .map(Arguments::of);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("brokenConfigs")
  void checkRefusesWithAPreciseMessage(Broken broken, @TempDir Path dir) throws Exception {
    for (var f : broken.files().entrySet())
      Files.writeString(dir.resolve(f.getKey()), f.getValue());
    Path config = Tandem.config(dir, broken.toml());
    TandemCli.Result r =
        TandemCli.run(
            Tandem.BIN, List.of("check", "--config", config.toString()), broken.env(), dir);
    assertEquals(1, r.status(), r.toString());
    assertTrue(r.stdout().isEmpty(), "nothing is listed as served: " + r);
    assertTrue(r.stderr().startsWith("tandem check: "), r.toString());
    for (String fragment : broken.fragments()) {
      assertTrue(r.stderr().contains(fragment), "expected \"" + fragment + "\" in:\n" + r.stderr());
    }
    String first = r.stderr().lines().findFirst().orElseThrow().replace(dir.toString(), "DIR");
    synchronized (FIRST_LINES) {
      FIRST_LINES.forEach(
          (other, line) -> {
            if (line.equals(first))
              throw new AssertionError(
                  broken.name() + " reads exactly like " + other + ": " + line);
          });
      FIRST_LINES.put(broken.name(), first);
    }
  }

  @AfterAll
  static void everyCaseRan() {
    assertEquals(
        brokenConfigs().count(),
        FIRST_LINES.size(),
        "cases with a message: " + FIRST_LINES.keySet());
  }
}
