package dev.tandem.it;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The MCP Inspector's CLI mode, a second independent client, lists and calls tandem's tools. */
class InspectorCliTest {

  @Test
  void inspectorListsToolsAndCallsEcho() throws Exception {
    JsonNode report =
        NodeScript.run("inspector-cli-check.mjs", List.of(Tandem.BIN.toString(), "serve"), 240);
    String list = report.get("toolsList").toString();
    assertTrue(list.contains("\"echo\"") && list.contains("text_stats"), list);
    assertTrue(report.get("echoCall").toString().contains("hello"), report.toString());
  }
}
