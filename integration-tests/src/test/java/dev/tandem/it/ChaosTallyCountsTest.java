package dev.tandem.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The chaos table's arithmetic on answers made up here: a lost, a doubled and a wrong answer each
 * count.
 */
class ChaosTallyCountsTest {

  static JsonNode answer(String id, String text) {
    var a = DaemonProcess.JSON.createObjectNode().put("jsonrpc", "2.0").put("id", id);
    a.putObject("result").putArray("content").addObject().put("type", "text").put("text", text);
    return a;
  }

  @Test
  void lostDoubledAndWrongAnswersAreCountedAndShown() {
    ChaosTally tally = new ChaosTally();
    for (String id : List.of("right", "lost", "doubled", "wrong"))
      tally.expect(id, "\"ok\"", ChaosTally.result("ok"));
    Map<String, List<JsonNode>> answers =
        Map.of(
            "right", List.of(answer("right", "ok")),
            "doubled", List.of(answer("doubled", "ok"), answer("doubled", "ok")),
            "wrong", List.of(answer("wrong", "not ok")));
    ChaosRow row = tally.row("made up", "none", answers, 2, "");
    assertEquals(4, row.tried());
    assertEquals(1, row.correct());
    assertEquals(1, row.lost());
    assertEquals(1, row.doubled());
    assertEquals(2, row.leaked());
    assertFalse(row.clean());
    String table = ChaosTable.render(List.of(row));
    assertTrue(table.contains("lost: expected \"ok\", got no answer"), table);
    assertTrue(table.contains("wrong: expected \"ok\", got") && table.contains("not ok"), table);
    assertTrue(
        table.lines().anyMatch(l -> l.matches("total\\s+4\\s+1\\s+1\\s+1\\s+2\\s+1 scenarios")),
        table);
  }
}
