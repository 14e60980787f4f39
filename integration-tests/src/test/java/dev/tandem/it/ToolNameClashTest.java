package dev.tandem.it;

import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Two pools serving one tool name would leave one unreachable: tandem refuses to start. */
class ToolNameClashTest {

  @Test
  void sameToolInTwoPoolsIsAStartErrorNamingBothPools(@TempDir Path dir) throws Exception {
    Path config =
        Tandem.config(dir, Tandem.examplesPool("first", 1) + Tandem.examplesPool("second", 1));
    try (DaemonProcess daemon = DaemonProcess.serve(config)) {
      assertNotEquals(0, daemon.awaitExit(Duration.ofSeconds(30)));
      String err = String.join("\n", daemon.stderr());
      assertTrue(err.contains("pool \"first\"") && err.contains("pool \"second\""), err);
      assertTrue(err.contains("tool \"echo\""), err);
    }
  }
}
