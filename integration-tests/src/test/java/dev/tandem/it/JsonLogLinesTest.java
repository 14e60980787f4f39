package dev.tandem.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** With --log-format json (or TANDEM_LOG_FORMAT=json) every stderr line is one JSON object. */
class JsonLogLinesTest {

  @Test
  void everyStderrLineIsAJsonRecordAndWorkerLinesCarryTheirFields() throws Exception {
    TandemCli.Result r =
        TandemCli.run(
            Tandem.BIN,
            List.of("call", "shout", "--arg", "text=hey", "--log-level", "info"),
            Map.of("TANDEM_LOG_FORMAT", "json", "TANDEM_HTTP_TOKEN", "do-not-log-me"),
            null);
    assertEquals(0, r.status(), r.toString());
    assertEquals("HEY\n", r.stdout());
    List<JsonNode> records = new ArrayList<>();
    for (String line : r.stderr().lines().toList()) records.add(DaemonProcess.JSON.readTree(line));
    assertFalse(records.isEmpty(), r.toString());
    for (JsonNode n : records) {
      assertTrue(n.isObject() && n.has("time") && n.has("level") && n.has("msg"), n.toString());
    }
    assertTrue(
        records.stream()
            .anyMatch(
                n ->
                    n.has("pool")
                        && n.get("pid").asLong() > 0
                        && n.get("msg").asText().equals("ready")),
        "a worker's ready line with pool, worker and pid fields:\n" + r.stderr());
    assertFalse(r.stderr().contains("do-not-log-me"), "the token is never logged");
  }

  @Test
  void aMisspeltFormatIsRefusedNamingTheVariable() throws Exception {
    TandemCli.Result r =
        TandemCli.run(
            Tandem.BIN, List.of("check", "--no-start"), Map.of("TANDEM_LOG_FORMAT", "jsonl"), null);
    assertEquals(2, r.status(), r.toString());
    assertEquals(
        "tandem check: TANDEM_LOG_FORMAT: unknown log format \"jsonl\"; use text or json\n",
        r.stderr());
  }
}
