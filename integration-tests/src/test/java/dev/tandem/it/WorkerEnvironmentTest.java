package dev.tandem.it;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Workers get an allow list of the daemon's environment, not all of it: the daemon's secrets (its
 * HTTP token, a deploy key, a database password) never reach tool code unless the pool names them,
 * while the model API keys tools call with do (issue 17, item 7). And whatever secret a tool does
 * hold, the daemon's log shows redacted.
 */
class WorkerEnvironmentTest {

  private static final String GITHUB_TOKEN = "ghp_daemon-only-0123456789";
  private static final String API_KEY = "sk-tool-key-0123456789abcdef";

  @Test
  void theDaemonsSecretsAreNotPassedOnButApiKeysAndNamedVariablesAre(@TempDir Path dir)
      throws Exception {
    try (DaemonProcess daemon =
        DaemonProcess.serve(
            config(dir, "pass_env = [\"DATABASE_URL\", \"MY_APP_*\"]"),
            List.of(),
            env -> {
              env.put("TANDEM_HTTP_TOKEN", "s3cret-token-value");
              env.put("GITHUB_TOKEN", GITHUB_TOKEN);
              env.put("UNNAMED_SETTING", "not passed");
              env.put("DATABASE_URL", "postgres://db/app");
              env.put("MY_APP_MODE", "fast");
              env.put("ANTHROPIC_API_KEY", API_KEY);
            })) {
      daemon.initialize();
      assertEquals("<unset>", envVar(daemon, "TANDEM_HTTP_TOKEN"));
      assertEquals("<unset>", envVar(daemon, "GITHUB_TOKEN"));
      assertEquals("<unset>", envVar(daemon, "UNNAMED_SETTING"));
      assertEquals("postgres://db/app", envVar(daemon, "DATABASE_URL"));
      assertEquals("fast", envVar(daemon, "MY_APP_MODE"));
      assertEquals(API_KEY, envVar(daemon, "ANTHROPIC_API_KEY"));
      assertTrue(
          daemon.stderr().stream()
              .anyMatch(
                  l ->
                      l.contains("workers do not inherit")
                          && l.contains("GITHUB_TOKEN")
                          && l.contains("UNNAMED_SETTING")
                          && !l.contains("DATABASE_URL")),
          String.join("\n", daemon.stderr()));
    }
  }

  @Test
  void aSecretAToolPrintsLogsOrRaisesIsRedactedInTheLogsAndTheErrorResult(@TempDir Path dir)
      throws Exception {
    try (DaemonProcess daemon =
        DaemonProcess.serve(
            config(dir, ""), List.of(), env -> env.put("ANTHROPIC_API_KEY", API_KEY))) {
      daemon.initialize();
      daemon.request(
          "level", "logging/setLevel", DaemonProcess.JSON.createObjectNode().put("level", "info"));
      ObjectNode params = DaemonProcess.JSON.createObjectNode().put("name", "leak_var");
      params.putObject("arguments").put("name", "ANTHROPIC_API_KEY");
      JsonNode answer = daemon.request("leak", "tools/call", params);
      assertTrue(answer.at("/result/isError").asBoolean(), answer.toString());
      assertEquals(
          "RuntimeError: raised [redacted $ANTHROPIC_API_KEY]",
          answer.at("/result/content/0/text").asText());
      await()
          .atMost(Duration.ofSeconds(10))
          .until(
              () ->
                  has(daemon, "printed [redacted $ANTHROPIC_API_KEY]")
                      && has(daemon, "logged [redacted $ANTHROPIC_API_KEY]")
                      && has(daemon, "told the host [redacted $ANTHROPIC_API_KEY]"));
      assertFalse(
          String.join("\n", daemon.stderr()).contains(API_KEY), String.join("\n", daemon.stderr()));
      // The host got the tool's log line as a notification, redacted the same way.
      String wire = String.join("\n", daemon.rawStdout());
      assertTrue(wire.contains("\"data\":\"told the host [redacted $ANTHROPIC_API_KEY]\""), wire);
      assertFalse(wire.contains(API_KEY), wire);
    }
  }

  private static boolean has(DaemonProcess daemon, String text) {
    return daemon.stderr().stream().anyMatch(l -> l.contains(text));
  }

  private static Path config(Path dir, String extra) throws Exception {
    var fixtures = WorkerEnvironmentTest.class.getResource("/fixtures/env/env_tools.py");
    assertNotNull(fixtures, "fixtures/env is on the test classpath");
    Path tools = Path.of(fixtures.toURI()).getParent();
    return Tandem.config(
        dir,
        """
        [[pool]]
        name = "env"
        modules = ["env_tools"]
        path = "%s"
        %s
        """
            .formatted(tools, extra));
  }

  private static String envVar(DaemonProcess daemon, String name) throws Exception {
    ObjectNode params = DaemonProcess.JSON.createObjectNode().put("name", "env_var");
    params.putObject("arguments").put("name", name);
    JsonNode answer = daemon.request("env-" + name, "tools/call", params);
    return answer.at("/result/content/0/text").asText(answer.toString());
  }
}
