package dev.tandem.supervisor.log;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class SecretsTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  @AfterEach
  void forget() {
    Secrets.clear();
    Secrets.fromEnvironment(System.getenv());
  }

  /** protocol/vectors/secret_names.jsonl: the Python recorder replays the same lines. */
  @Test
  void everySharedVectorGetsTheVerdictThePythonRecorderGets() throws Exception {
    List<String> lines =
        Files.readAllLines(
            Path.of("..", "protocol", "vectors", "secret_names.jsonl"), StandardCharsets.UTF_8);
    int cases = 0;
    for (String line : lines) {
      if (line.isBlank()) continue;
      JsonNode v = JSON.readTree(line);
      String name = v.get("name").asText();
      String value = v.get("value").asText();
      Secrets.clear();
      Secrets.fromEnvironment(Map.of(name, value));
      String expected =
          v.get("redacted").asBoolean()
              ? "the tool said [redacted $" + name + "]."
              : "the tool said " + value + ".";
      assertEquals(expected, Secrets.redact("the tool said " + value + "."), name);
      cases++;
    }
    assertTrue(cases > 10, "the vectors were read");
  }

  @Test
  void aSecretContainingAnotherIsReplacedWhole() {
    Secrets.clear();
    Secrets.add("$SHORT_TOKEN", "abcdefgh");
    Secrets.add("$LONG_TOKEN", "abcdefgh-and-more");
    assertEquals(
        "[redacted $LONG_TOKEN] then [redacted $SHORT_TOKEN]",
        Secrets.redact("abcdefgh-and-more then abcdefgh"));
  }

  @Test
  void textWithoutSecretsIsReturnedAsIs() {
    Secrets.clear();
    String text = "nothing to see";
    assertSame(text, Secrets.redact(text));
    Secrets.add("$API_TOKEN", "0123456789");
    assertSame(text, Secrets.redact(text));
  }
}
