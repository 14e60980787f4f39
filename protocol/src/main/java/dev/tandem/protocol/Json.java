package dev.tandem.protocol;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** The one configured Jackson mapper every part of tandem shares; mappers are costly to build. */
public final class Json {

  /**
   * Strict on input (one value per frame, no comments or single quotes: what the spec calls JSON)
   * and plain on output (no pretty printing: one frame is one line).
   */
  public static final JsonMapper MAPPER =
      JsonMapper.builder()
          .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
          .disable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
          .disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET)
          .build();

  public static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private Json() {}

  public static ObjectNode object() {
    return NODES.objectNode();
  }

  /**
   * {@code params} with one {@code _meta} entry set, without copying the rest: a shallow copy whose
   * children are shared. Requests are forwarded on every call, and arguments can be large; nothing
   * downstream mutates them, so sharing is safe where a deep copy was only cost.
   */
  public static ObjectNode withMeta(ObjectNode params, String key, JsonNode value) {
    ObjectNode copy = object();
    if (params != null) copy.setAll(params);
    ObjectNode meta = object();
    if (params != null && params.get("_meta") instanceof ObjectNode old) meta.setAll(old);
    meta.set(key, value);
    copy.set("_meta", meta);
    return copy;
  }
}
