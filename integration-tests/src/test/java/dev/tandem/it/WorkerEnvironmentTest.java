package dev.tandem.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Workers inherit the daemon's environment, less its own secret: the HTTP bearer token never
 * reaches tool code (issue 17, item 7), unless a pool's env hands it over by name.
 */
class WorkerEnvironmentTest {

  @Test
  void theDaemonsTokenIsNotPassedOnButTheRestOfItsEnvironmentIs(@TempDir Path dir) throws Exception {
    var fixtures = WorkerEnvironmentTest.class.getResource("/fixtures/env/env_tools.py");
    assertNotNull(fixtures, "fixtures/env is on the test classpath");
    Path tools = Path.of(fixtures.toURI()).getParent();
    Path config = Tandem.config(dir, """
        [[pool]]
        name = "env"
        modules = ["env_tools"]
        path = "%s"
        """.formatted(tools));
    try (DaemonProcess daemon = DaemonProcess.serve(config, List.of(), env -> {
      env.put("TANDEM_HTTP_TOKEN", "s3cret-token-value");
      env.put("TANDEM_IT_INHERITED", "inherited");
    })) {
      daemon.initialize();
      assertEquals("<unset>", envVar(daemon, "TANDEM_HTTP_TOKEN"));
      assertEquals("inherited", envVar(daemon, "TANDEM_IT_INHERITED"));
    }
  }

  private static String envVar(DaemonProcess daemon, String name) throws Exception {
    ObjectNode params = DaemonProcess.JSON.createObjectNode().put("name", "env_var");
    params.putObject("arguments").put("name", name);
    JsonNode answer = daemon.request("env-" + name, "tools/call", params);
    return answer.at("/result/content/0/text").asText(answer.toString());
  }
}
