package dev.tandem.supervisor.log;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

class LogJsonTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void aWorkerRecordIsOneParseableObjectWithItsFields() throws Exception {
    String line =
        Log.json(Log.Level.WARN, "notes", 3, 4182, "stderr: said \"hi\"\n\tthen\u0001left", null);
    JsonNode n = JSON.readTree(line);
    assertEquals("warn", n.get("level").asText());
    assertEquals("notes", n.get("pool").asText());
    assertEquals(3, n.get("worker").asInt());
    assertEquals(4182, n.get("pid").asLong());
    assertEquals("stderr: said \"hi\"\n\tthen\u0001left", n.get("msg").asText());
    assertEquals(-1, line.indexOf('\n'));
  }

  @Test
  void aTracebackIsOneRecordWithTheBlockAsDetail() throws Exception {
    JsonNode n =
        JSON.readTree(
            Log.json(
                Log.Level.ERROR, null, 0, 0, "pool \"x\" could not start", "Traceback\n  line 1"));
    assertEquals("Traceback\n  line 1", n.get("detail").asText());
    assertEquals(false, n.has("pool"));
  }

  @Test
  void unknownNamesAreRefusedWithTheValidOnes() {
    assertEquals(Log.Format.JSON, Log.format("JSON"));
    assertEquals(Log.Level.WARN, Log.level("warning"));
    assertEquals(
        "unknown log format \"yaml\"; use text or json",
        assertThrows(IllegalArgumentException.class, () -> Log.format("yaml")).getMessage());
  }
}
