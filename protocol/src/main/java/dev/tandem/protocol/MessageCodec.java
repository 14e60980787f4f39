package dev.tandem.protocol;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeType;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * Turns one frame's bytes into a {@link Decoded} verdict and a {@link Message} into one line of
 * bytes. The rules are JSON-RPC 2.0's, narrowed as MCP narrows them (ids are strings or integers,
 * never null; params are objects; no batches), and are pinned by {@code vectors/decode.jsonl}.
 */
public final class MessageCodec {

  public static final String JSONRPC_VERSION = "2.0";

  private MessageCodec() {}

  public static Decoded decode(byte[] frame) {
    return decode(frame, 0, frame.length);
  }

  public static Decoded decode(byte[] buf, int off, int len) {
    int start = off;
    int end = off + len;
    while (start < end && isWhitespace(buf[start])) start++;
    while (end > start && isWhitespace(buf[end - 1])) end--;
    if (start == end) return new Decoded.Blank();
    JsonNode tree;
    try {
      tree = Json.MAPPER.readTree(buf, start, end - start);
    } catch (com.fasterxml.jackson.core.exc.StreamConstraintsException e) {
      // Too deep (or too long a number or name): well-formed as far as it went, so its leading id
      // answers the request that caused it, as tandem.wire does for a RecursionError.
      return new Decoded.Invalid(
          RpcError.PARSE_ERROR,
          "Parse error: " + e.getOriginalMessage(),
          LeadingId.of(buf, start, end - start));
    } catch (JacksonException e) {
      return new Decoded.Invalid(
          RpcError.PARSE_ERROR, "Parse error: " + e.getOriginalMessage(), NullNode.instance);
    } catch (IOException e) {
      // Jackson reports malformed UTF-8 as a CharConversionException, an IOException of its own.
      return new Decoded.Invalid(
          RpcError.PARSE_ERROR, "Parse error: " + e.getMessage(), NullNode.instance);
    }
    return fromTree(tree);
  }

  /**
   * Classifies an already parsed JSON value; exposed for transports that parse bodies themselves.
   */
  public static Decoded fromTree(JsonNode tree) {
    if (tree == null || tree.isMissingNode()) {
      return invalid("Invalid Request: empty frame", null);
    }
    if (tree.isArray()) {
      return invalid(
          "Invalid Request: JSON-RPC batches are not supported; send one message per line", null);
    }
    if (!tree.isObject()) {
      return invalid(
          "Invalid Request: a message must be a JSON object, got " + describe(tree), null);
    }
    ObjectNode obj = (ObjectNode) tree;
    JsonNode rawId = obj.get("id");
    JsonNode id = isValidId(rawId) ? rawId : null;
    JsonNode version = obj.get("jsonrpc");
    if (version == null || !version.isTextual() || !JSONRPC_VERSION.equals(version.asText())) {
      return invalid("Invalid Request: \"jsonrpc\" must be the string \"2.0\"", id);
    }
    if (rawId != null
        && id == null
        && !(rawId.isNull() && obj.has("error") && !obj.has("method"))) {
      return invalid(
          "Invalid Request: \"id\" must be a string or an integer, got " + describe(rawId), null);
    }
    JsonNode method = obj.get("method");
    if (method != null) {
      if (!method.isTextual()) {
        return invalid("Invalid Request: \"method\" must be a string, got " + describe(method), id);
      }
      JsonNode params = obj.get("params");
      if (params != null && !params.isObject()) {
        return invalid(
            "Invalid Request: \"params\" must be an object, got " + describe(params), id);
      }
      ObjectNode p = (ObjectNode) params;
      return rawId == null
          ? new Message.Notification(method.asText(), p)
          : new Message.Request(id, method.asText(), p);
    }
    boolean hasResult = obj.has("result");
    JsonNode error = obj.get("error");
    if (hasResult && error != null) {
      return invalid("Invalid Request: a response has \"result\" or \"error\", not both", id);
    }
    if (hasResult) {
      if (id == null) return invalid("Invalid Request: a result needs the id of its request", null);
      return new Message.Result(id, obj.get("result"));
    }
    if (error != null) {
      if (rawId == null)
        return invalid("Invalid Request: an error response needs an \"id\" member", null);
      RpcError parsed = parseError(error);
      if (parsed == null) {
        return invalid(
            "Invalid Request: \"error\" must be an object with an integer \"code\" and a string \"message\"",
            id);
      }
      return new Message.Failure(id == null ? NullNode.instance : id, parsed);
    }
    return invalid("Invalid Request: a message needs \"method\", \"result\" or \"error\"", id);
  }

  private static RpcError parseError(JsonNode error) {
    if (!error.isObject()) return null;
    JsonNode code = error.get("code");
    JsonNode message = error.get("message");
    if (code == null || !code.isIntegralNumber() || !code.canConvertToInt()) return null;
    if (message == null || !message.isTextual()) return null;
    return new RpcError(code.intValue(), message.asText(), error.get("data"));
  }

  static boolean isValidId(JsonNode id) {
    return id != null && (id.isTextual() || id.isIntegralNumber());
  }

  private static Decoded.Invalid invalid(String reason, JsonNode id) {
    return new Decoded.Invalid(
        RpcError.INVALID_REQUEST, reason, id == null ? NullNode.instance : id);
  }

  private static String describe(JsonNode node) {
    JsonNodeType type = node.getNodeType();
    return switch (type) {
      case NUMBER -> node.isIntegralNumber() ? "an integer" : "a fractional number";
      case STRING -> "a string";
      case BOOLEAN -> "a boolean";
      case NULL -> "null";
      case ARRAY -> "an array";
      case OBJECT -> "an object";
      default -> type.name().toLowerCase();
    };
  }

  /**
   * JSON's insignificant whitespace (RFC 8259): the one definition the codec and its scanners use.
   */
  static boolean isWhitespace(byte b) {
    return b == ' ' || b == '\t' || b == '\r' || b == '\n';
  }

  /** The message as JSON, without the trailing newline. */
  public static ObjectNode toTree(Message message) {
    ObjectNode out = Json.object();
    out.put("jsonrpc", JSONRPC_VERSION);
    switch (message) {
      case Message.Request r -> {
        out.set("id", r.id());
        out.put("method", r.method());
        if (r.params() != null) out.set("params", r.params());
      }
      case Message.Notification n -> {
        out.put("method", n.method());
        if (n.params() != null) out.set("params", n.params());
      }
      case Message.Result r -> {
        out.set("id", r.id());
        out.set("result", r.result() == null ? Json.object() : r.result());
      }
      case Message.Failure f -> {
        out.set("id", f.id() == null ? NullNode.instance : f.id());
        ObjectNode err = out.putObject("error");
        err.put("code", f.error().code());
        err.put("message", f.error().message());
        if (f.error().data() != null) err.set("data", f.error().data());
      }
    }
    return out;
  }

  /** One frame: the message's JSON followed by a single newline. */
  public static byte[] encode(Message message) {
    FrameBuffer frame = encodeInScratch(message);
    return java.util.Arrays.copyOf(frame.array(), frame.length());
  }

  private static final ThreadLocal<FrameBuffer> SCRATCH =
      ThreadLocal.withInitial(() -> new FrameBuffer(8 * 1024));

  /**
   * One frame, encoded into the calling thread's scratch buffer, which stays valid until the
   * thread's next call: for a writer that copies it out at once. A frame so costs no allocation of
   * its own and one copy fewer than {@link #encode}.
   */
  public static FrameBuffer encodeInScratch(Message message) {
    FrameBuffer frame = SCRATCH.get();
    frame.reset();
    try {
      writeFrame(message, frame);
    } catch (IOException e) {
      frame.reset();
      throw new UncheckedIOException("could not encode " + message, e);
    }
    return frame;
  }

  /**
   * Streams one frame to {@code out}: the same bytes as {@link #toTree} serialized, then a newline,
   * without building the envelope as a tree. The params, result or error data are serialized by the
   * one mapper, as before.
   */
  public static void writeFrame(Message message, java.io.OutputStream out) throws IOException {
    try (JsonGenerator g = Json.MAPPER.createGenerator(out)) {
      g.writeStartObject();
      g.writeStringField("jsonrpc", JSONRPC_VERSION);
      switch (message) {
        case Message.Request r -> {
          writeId(g, r.id());
          g.writeStringField("method", r.method());
          if (r.params() != null) writeMember(g, "params", r.params());
        }
        case Message.Notification n -> {
          g.writeStringField("method", n.method());
          if (n.params() != null) writeMember(g, "params", n.params());
        }
        case Message.Result r -> {
          writeId(g, r.id());
          if (r.result() == null) {
            g.writeFieldName("result");
            g.writeStartObject();
            g.writeEndObject();
          } else {
            writeMember(g, "result", r.result());
          }
        }
        case Message.Failure f -> {
          writeId(g, f.id());
          g.writeObjectFieldStart("error");
          g.writeNumberField("code", f.error().code());
          g.writeStringField("message", f.error().message());
          if (f.error().data() != null) writeMember(g, "data", f.error().data());
          g.writeEndObject();
        }
      }
      g.writeEndObject();
    }
    out.write('\n');
  }

  /**
   * Ids are strings or integers (or null in an error): written as such, the way their nodes write.
   */
  private static void writeId(JsonGenerator g, JsonNode id) throws IOException {
    g.writeFieldName("id");
    if (id == null || id.isNull()) {
      g.writeNull();
    } else if (id.isTextual()) {
      g.writeString(id.textValue());
    } else if (id.isIntegralNumber() && id.canConvertToLong()) {
      g.writeNumber(id.longValue());
    } else {
      Json.MAPPER.writeTree(g, id);
    }
  }

  private static void writeMember(JsonGenerator g, String name, JsonNode value) throws IOException {
    g.writeFieldName(name);
    writeNode(g, value);
  }

  /**
   * Writes a tree as the mapper would (every member, nulls and empty arrays included, which are its
   * defaults), without a serializer provider and a serializer lookup per call. Node kinds whose
   * writing depends on the mapper's configuration (binary, POJO, missing) go to the mapper.
   */
  static void writeNode(JsonGenerator g, JsonNode node) throws IOException {
    if (node instanceof RawJson raw) {
      // A payload carried as bytes is spliced in as it came.
      raw.serialize(g, null);
      return;
    }
    switch (node.getNodeType()) {
      case OBJECT -> {
        g.writeStartObject();
        for (var member : node.properties()) {
          g.writeFieldName(member.getKey());
          writeNode(g, member.getValue());
        }
        g.writeEndObject();
      }
      case ARRAY -> {
        g.writeStartArray();
        for (int i = 0, n = node.size(); i < n; i++) writeNode(g, node.get(i));
        g.writeEndArray();
      }
      case STRING -> g.writeString(node.textValue());
      case BOOLEAN -> g.writeBoolean(node.booleanValue());
      case NULL -> g.writeNull();
      // Numeric nodes write themselves without the provider (g.writeNumber of their value).
      case NUMBER -> ((com.fasterxml.jackson.databind.node.NumericNode) node).serialize(g, null);
      default -> Json.MAPPER.writeTree(g, node);
    }
  }
}
