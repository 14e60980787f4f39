package dev.tandem.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/** Replays protocol/vectors/decode.jsonl, the verdicts the Python codec must reach too. */
class SharedVectorsTest {

  static Path vectors() {
    String dir = System.getProperty("tandem.vectors", "vectors");
    return Path.of(dir, "decode.jsonl");
  }

  record Vector(String name, byte[] frame, int maxBytes, JsonNode expect) {}

  static List<Vector> load() throws IOException {
    List<Vector> out = new ArrayList<>();
    for (String line : Files.readAllLines(vectors(), StandardCharsets.UTF_8)) {
      if (line.isBlank()) continue;
      JsonNode v = Json.MAPPER.readTree(line);
      byte[] frame =
          v.has("line_base64")
              ? Base64.getDecoder().decode(v.get("line_base64").asText())
              : v.get("line").asText().getBytes(StandardCharsets.UTF_8);
      int max =
          v.has("max_bytes") ? v.get("max_bytes").asInt() : FrameReader.DEFAULT_MAX_FRAME_BYTES;
      out.add(new Vector(v.get("name").asText(), frame, max, v.get("expect")));
    }
    return out;
  }

  @TestFactory
  Stream<DynamicTest> everyVectorDecodesThroughTheFrameReaderAsExpected() throws IOException {
    List<Vector> vectors = load();
    assertTrue(vectors.size() >= 40, "the vector file should hold the whole contract");
    return vectors.stream()
        .map(v -> DynamicTest.dynamicTest(v.name(), () -> assertVerdict(v, readOne(v))));
  }

  private static Decoded readOne(Vector v) throws IOException {
    byte[] withNewline = new byte[v.frame().length + 1];
    System.arraycopy(v.frame(), 0, withNewline, 0, v.frame().length);
    withNewline[v.frame().length] = '\n';
    FrameReader reader = new FrameReader(new ByteArrayInputStream(withNewline), v.maxBytes());
    Decoded first = reader.next();
    assertNull(reader.next(), "one frame in, one verdict out");
    return first;
  }

  static void assertVerdict(Vector v, Decoded got) {
    JsonNode e = v.expect();
    String kind = e.get("kind").asText();
    switch (kind) {
      case "skip" -> assertInstanceOf(Decoded.Blank.class, got);
      case "request" -> {
        var r = assertInstanceOf(Message.Request.class, got);
        assertEquals(e.get("id"), r.id());
        assertEquals(e.get("method").asText(), r.method());
        assertEquals(e.get("params"), r.params());
      }
      case "notification" -> {
        var n = assertInstanceOf(Message.Notification.class, got);
        assertEquals(e.get("method").asText(), n.method());
        assertEquals(e.get("params"), n.params());
      }
      case "result" -> {
        var r = assertInstanceOf(Message.Result.class, got);
        assertEquals(e.get("id"), r.id());
        assertEquals(e.get("result"), r.result());
      }
      case "error_response" -> {
        var f = assertInstanceOf(Message.Failure.class, got);
        assertEquals(e.get("id"), f.id());
        ObjectNode err = (ObjectNode) e.get("error");
        assertEquals(err.get("code").asInt(), f.error().code());
        assertEquals(err.get("message").asText(), f.error().message());
        assertEquals(err.get("data"), f.error().data());
      }
      case "invalid" -> {
        var i = assertInstanceOf(Decoded.Invalid.class, got);
        assertEquals(e.get("code").asInt(), i.code(), i.reason());
        JsonNode id = e.get("id");
        assertEquals(id == null ? NullNode.instance : id, i.id());
      }
      default -> throw new AssertionError("unknown expect.kind " + kind + " in " + v.name());
    }
  }
}
