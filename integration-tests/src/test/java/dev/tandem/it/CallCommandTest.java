package dev.tandem.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code tandem call}: one tool call from a shell, answered as a host's would be. */
class CallCommandTest {

  @Test
  void printsTheTextAndTypesArgumentsByTheToolsSchema() throws Exception {
    // text is a string parameter: "2" stays text; times is an integer: "2" is read as JSON.
    TandemCli.Result r =
        TandemCli.run(List.of("call", "echo", "--arg", "text=2", "--arg", "times=2"));
    assertEquals(0, r.status(), r.toString());
    assertEquals("2 2\n", r.stdout(), r.toString());
  }

  @Test
  void jsonPrintsTheWholeResultWithStructuredContent() throws Exception {
    TandemCli.Result r =
        TandemCli.run(
            List.of("call", "text_stats", "--args", "{\"text\": \"one two\\nthree\"}", "--json"));
    assertEquals(0, r.status(), r.toString());
    JsonNode result = DaemonProcess.JSON.readTree(r.stdout());
    assertEquals(3, result.at("/structuredContent/words").asInt(), r.toString());
  }

  @Test
  void aToolErrorGoesToStderrWithStatusOne() throws Exception {
    TandemCli.Result r = TandemCli.run(List.of("call", "fail", "--arg", "message=boom"));
    assertEquals(1, r.status(), r.toString());
    assertTrue(r.stderr().contains("boom"), r.toString());
    assertEquals("", r.stdout());
  }

  @Test
  void progressGoesToStderr() throws Exception {
    TandemCli.Result r = TandemCli.run(List.of("call", "count", "--arg", "n=2"));
    assertEquals(0, r.status(), r.toString());
    assertTrue(r.stderr().contains("progress 1/2"), r.toString());
  }

  @Test
  void anUnknownToolListsTheToolsServed() throws Exception {
    TandemCli.Result r = TandemCli.run(List.of("call", "ech0"));
    assertEquals(2, r.status(), r.toString());
    assertTrue(r.stderr().startsWith("tandem call: no tool \"ech0\" in "), r.toString());
    assertTrue(r.stderr().contains("it serves: echo, "), r.toString());
  }
}
