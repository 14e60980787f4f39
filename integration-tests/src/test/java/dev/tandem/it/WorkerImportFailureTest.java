package dev.tandem.it;

import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A tool module that cannot be imported stops start-up with its name and traceback, not a hang. */
class WorkerImportFailureTest {

  @Test
  void moduleThatRaisesOnImportNamesTheModuleAndShowsTheTraceback(@TempDir Path dir)
      throws Exception {
    Files.writeString(
        dir.resolve("broken_tools.py"),
        """
        from tandem import tool

        def helper():
            raise RuntimeError("the prompt file is missing")

        helper()

        @tool
        def never(x: str) -> str:
            return x
        """);
    Path config =
        Tandem.config(
            dir,
            """
        [[pool]]
        name = "broken"
        modules = ["broken_tools"]
        path = "."
        """);
    try (DaemonProcess daemon = DaemonProcess.serve(config)) {
      int status = daemon.awaitExit(Duration.ofSeconds(30));
      assertNotEquals(0, status);
      String err = String.join("\n", daemon.stderr());
      assertTrue(err.contains("broken_tools"), err);
      assertTrue(err.contains("Traceback"), err);
      assertTrue(err.contains("RuntimeError: the prompt file is missing"), err);
      assertTrue(err.contains("pool \"broken\""), err);
    }
  }

  @Test
  void syntaxErrorInAModuleIsReportedWithItsLine(@TempDir Path dir) throws Exception {
    Files.writeString(
        dir.resolve("typo_tools.py"),
        "from tandem import tool\n\n@tool\ndef f(x: str) -> str\n    return x\n");
    Path config =
        Tandem.config(
            dir,
            """
        [[pool]]
        name = "typo"
        modules = ["typo_tools"]
        path = "."
        """);
    try (DaemonProcess daemon = DaemonProcess.serve(config)) {
      assertNotEquals(0, daemon.awaitExit(Duration.ofSeconds(30)));
      String err = String.join("\n", daemon.stderr());
      assertTrue(err.contains("typo_tools"), err);
      assertTrue(err.contains("SyntaxError"), err);
    }
  }

  @Test
  void missingModuleIsNamed(@TempDir Path dir) throws Exception {
    Path config =
        Tandem.config(
            dir,
            """
        [[pool]]
        name = "ghost"
        modules = ["no_such_module_here"]
        """);
    try (DaemonProcess daemon = DaemonProcess.serve(config)) {
      assertNotEquals(0, daemon.awaitExit(Duration.ofSeconds(30)));
      String err = String.join("\n", daemon.stderr());
      assertTrue(err.contains("no_such_module_here"), err);
      assertTrue(err.contains("ModuleNotFoundError"), err);
    }
  }
}
