package dev.tandem.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A host on stdio shows the user its error message, not the daemon's log: when a pool's module does
 * not import, that message must carry the cause (the exception and the user's line), not only
 * "failed to import".
 */
class StdioHostSeesWhyAPoolCannotStartTest {

  @Test
  void theErrorNamesTheMissingModuleAndTheLineThatImportsIt(@TempDir Path dir) throws Exception {
    Path tools = Files.createDirectories(dir.resolve("tools"));
    Files.writeString(tools.resolve("fetcher.py"), "from tandem import tool\nimport requestsx\n");
    Path config =
        Tandem.config(
            dir,
            """
        [[pool]]
        name = "fetcher"
        modules = ["fetcher"]
        path = "tools"
        replicas = 1
        """);
    try (DaemonProcess daemon = DaemonProcess.serve(config)) {
      daemon.initialize();
      JsonNode answer = daemon.request("l", "tools/list", null);
      String message = answer.at("/error/message").asText();
      assertEquals(-32603, answer.at("/error/code").asInt(), answer.toString());
      assertTrue(
          message.contains(
              "pool \"fetcher\" could not start: its module 'fetcher' failed to import: "
                  + "ModuleNotFoundError: No module named 'requestsx'"),
          message);
      assertTrue(message.contains("fetcher.py, line 2"), message);
    }
  }
}
