package dev.tandem.supervisor.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;

/**
 * `serve` is parsed by hand for start-up time; these hold the hand parser to picocli's answers, so
 * the help text (picocli's) and the behaviour (the fast path's) cannot drift apart.
 */
class ServeFastPathTest {

  @ParameterizedTest
  @ValueSource(
      strings = {
        "serve",
        "serve --http",
        "serve --http 127.0.0.1:0",
        "serve --http=0.0.0.0:8765 --config t.toml",
        "serve -c t.toml --http",
        "serve --config=t.toml --set server.page_size=5 --set pool.a.replicas=2",
        "serve --log-level debug --log-format=json --http [::1]:9000",
      })
  void theFastPathAgreesWithPicocli(String line) {
    String[] args = line.split(" ");
    ServeCommand fast = ServeCommand.parseFast(args);
    assertNotNull(fast, line);
    CommandLine cli = new CommandLine(new Main());
    CommandLine.ParseResult parsed = cli.parseArgs(args);
    ServeCommand slow = (ServeCommand) parsed.subcommand().commandSpec().userObject();
    assertEquals(slow.http, fast.http, line);
    assertEquals(slow.config.config, fast.config.config, line);
    assertEquals(List.copyOf(slow.config.set), List.copyOf(fast.config.set), line);
    assertEquals(slow.log.level, fast.log.level, line);
    assertEquals(slow.log.format, fast.log.format, line);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "serve --help",
        "serve -h",
        "serve --confg t.toml",
        "serve --config",
        "serve --set",
        "check",
        "serve extra"
      })
  void anythingElseGoesToPicocli(String line) {
    assertNull(ServeCommand.parseFast(line.split(" ")), line);
  }
}
