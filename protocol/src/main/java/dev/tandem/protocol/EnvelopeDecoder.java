package dev.tandem.protocol;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Arrays;

/**
 * Decodes a frame the way {@link MessageCodec#decode} does, except that the payload a hop only
 * carries stays bytes: a request's {@code params.arguments} and a response's {@code result}, when
 * {@link Passthrough} says so and they are objects. Everything else (the envelope: id, method, the
 * other params, {@code _meta}) is parsed into a tree as before, and the verdict is {@link
 * MessageCodec#fromTree}'s, so what is accepted and every error message stay exactly the same. A
 * frame that is not a well-formed object, or anything unusual, is decoded again by {@link
 * MessageCodec#decode}, whose error is the one answered: bad input costs a second parse, good input
 * none.
 */
public final class EnvelopeDecoder {

  /** Which payloads of a frame stay bytes. */
  public interface Passthrough {
    /** Whether a request of this method keeps its {@code params.arguments} as bytes. */
    default boolean arguments(String method) {
      return false;
    }

    /** Whether the response with this id keeps its {@code result} as bytes. */
    default boolean result(JsonNode id) {
      return false;
    }
  }

  /** {@code tools/call} arguments stay bytes: what a host's frames need. */
  public static final Passthrough TOOL_ARGUMENTS =
      new Passthrough() {
        @Override
        public boolean arguments(String method) {
          return "tools/call".equals(method);
        }
      };

  /**
   * Reads one member's value where the parser stands. Without the mapper's trailing-token check,
   * which would read on into the next member; the frame's end is checked once, by {@link #decode}.
   */
  private static final ObjectReader VALUE =
      Json.MAPPER.readerFor(JsonNode.class).without(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

  private EnvelopeDecoder() {}

  public static Decoded decode(byte[] buf, int off, int len, Passthrough pass) {
    int start = off;
    int end = off + len;
    while (start < end && MessageCodec.isWhitespace(buf[start])) start++;
    if (start == end || buf[start] != '{') return MessageCodec.decode(buf, off, len);
    try (JsonParser p = Json.MAPPER.createParser(buf, start, end - start)) {
      p.nextToken();
      // Token offsets count from where the parser started; this maps them back into buf.
      long base = start - p.currentTokenLocation().getByteOffset();
      ObjectNode message = Json.object();
      String method = null;
      JsonNode id = null;
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String name = p.currentName();
        JsonToken token = p.nextToken();
        JsonNode value;
        if (token == JsonToken.START_OBJECT
            && name.equals("params")
            && method != null
            && pass.arguments(method)) {
          value = params(p, buf, base);
        } else if (token == JsonToken.START_OBJECT
            && name.equals("result")
            && MessageCodec.isValidId(id)
            && pass.result(id)) {
          value = raw(p, buf, base, true);
        } else {
          value = value(p);
          if (name.equals("method")) method = value.isTextual() ? value.textValue() : null;
          if (name.equals("id")) id = value;
        }
        message.set(name, value);
      }
      // One value per frame (the mapper's FAIL_ON_TRAILING_TOKENS): trailing tokens are an error.
      if (p.currentToken() != JsonToken.END_OBJECT || p.nextToken() != null) {
        return MessageCodec.decode(buf, off, len);
      }
      return MessageCodec.fromTree(message);
    } catch (Exception e) {
      return MessageCodec.decode(buf, off, len);
    }
  }

  /** A request's params, its {@code arguments} object kept as bytes. */
  private static ObjectNode params(JsonParser p, byte[] buf, long base) throws Exception {
    ObjectNode params = Json.object();
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String name = p.currentName();
      JsonToken token = p.nextToken();
      params.set(
          name,
          token == JsonToken.START_OBJECT && name.equals("arguments")
              ? raw(p, buf, base, false)
              : value(p));
    }
    return params;
  }

  /**
   * The object the parser stands at the start of, as bytes; the parser tokenizes it (which checks
   * it) without building it. {@code noteScalars}: keep its top-level scalar members readable.
   */
  private static RawJson raw(JsonParser p, byte[] buf, long base, boolean noteScalars)
      throws Exception {
    int from = (int) (p.currentTokenLocation().getByteOffset() + base);
    ObjectNode scalars = null;
    boolean nested = false;
    if (noteScalars) {
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String name = p.currentName();
        JsonToken token = p.nextToken();
        if (token == JsonToken.START_OBJECT || token == JsonToken.START_ARRAY) {
          nested = true;
          p.skipChildren();
        } else {
          if (scalars == null) scalars = Json.object();
          scalars.set(name, value(p));
        }
      }
    } else {
      p.skipChildren();
      nested = true;
    }
    int to = (int) (p.currentTokenLocation().getByteOffset() + base) + 1;
    if (buf[from] != '{' || buf[to - 1] != '}') {
      throw new IllegalStateException("raw JSON offsets do not frame an object");
    }
    return new RawJson(Arrays.copyOfRange(buf, from, to), scalars, nested);
  }

  /**
   * The value the parser stands at, as the mapper's tree would hold it. The envelope's scalars
   * (jsonrpc, id, method, name) are made here: a mapper read costs a deserialization context each.
   * Fractions and big numbers, objects and arrays go to the mapper, whose rules they follow.
   */
  private static JsonNode value(JsonParser p) throws Exception {
    return switch (p.currentToken()) {
      case VALUE_STRING -> Json.NODES.textNode(p.getText());
      case VALUE_TRUE -> Json.NODES.booleanNode(true);
      case VALUE_FALSE -> Json.NODES.booleanNode(false);
      case VALUE_NULL -> Json.NODES.nullNode();
      case VALUE_NUMBER_INT ->
          switch (p.getNumberType()) {
            case INT -> Json.NODES.numberNode(p.getIntValue());
            case LONG -> Json.NODES.numberNode(p.getLongValue());
            default -> VALUE.readValue(p);
          };
      default -> VALUE.readValue(p);
    };
  }
}
