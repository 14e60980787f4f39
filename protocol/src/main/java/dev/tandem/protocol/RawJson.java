package dev.tandem.protocol;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.SerializableString;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.jsontype.TypeSerializer;
import com.fasterxml.jackson.databind.node.BaseJsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeType;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/**
 * A JSON object kept as the bytes a peer sent: a tool call's {@code arguments} on the way to a
 * worker, its result on the way back. The daemon only carries these, so building a tree for them
 * and writing it out again was most of what a call cost it; a frame that carries one is written
 * with the bytes spliced in. The bytes were tokenized, so checked as JSON, by the parser that cut
 * them out of their frame ({@link EnvelopeDecoder}).
 *
 * <p>It reads as an opaque value ({@link JsonNodeType#POJO}), not an object ({@code isObject()} is
 * final in Jackson): code that needs the members calls {@link #tree} (or {@link #expand}). {@link
 * #get(String)} answers for the top-level members whose values are scalars, which the decoder noted
 * on the way (a result's {@code isError}), and parses the rest on demand.
 */
public final class RawJson extends BaseJsonNode {

  private final byte[] bytes;

  /** Top-level members whose values are scalars, or null when none were noted. */
  private final ObjectNode scalars;

  /** Whether a top-level member is an object or an array, which {@link #scalars} lacks. */
  private final boolean nested;

  private volatile ObjectNode tree;

  RawJson(byte[] bytes, ObjectNode scalars, boolean nested) {
    this.bytes = bytes;
    this.scalars = scalars;
    this.nested = nested;
  }

  /** The object's JSON text, UTF-8; not to be modified. */
  public byte[] bytes() {
    return bytes;
  }

  /** The object as a tree of its own, parsed once on first use. */
  public ObjectNode tree() {
    ObjectNode t = tree;
    if (t == null) {
      try {
        t = (ObjectNode) Json.MAPPER.readTree(bytes);
      } catch (IOException e) {
        // Cannot happen: the bytes were tokenized as one JSON object when they were cut.
        throw new UncheckedIOException("raw JSON that was checked no longer parses", e);
      }
      tree = t;
    }
    return t;
  }

  /**
   * This object with {@code members} written before its own: how an envelope adds members to a
   * payload it carries as bytes (a 2026-07-28 result's {@code resultType}) without parsing and
   * writing it again. {@code members} is the JSON text of one or more members ({@code
   * "a":1,"b":{}}), which the caller writes, named unlike any member of this object ({@link
   * #hasMember}); {@code scalars} holds those of its values that are scalars, for {@link #get}.
   */
  public RawJson withMembersFirst(byte[] members, ObjectNode scalars) {
    int inner = 1;
    while (inner < bytes.length - 1 && MessageCodec.isWhitespace(bytes[inner])) inner++;
    boolean empty = inner == bytes.length - 1;
    byte[] out = new byte[1 + members.length + (empty ? 0 : 1) + bytes.length - inner];
    out[0] = '{';
    System.arraycopy(members, 0, out, 1, members.length);
    int at = 1 + members.length;
    if (!empty) out[at++] = ',';
    System.arraycopy(bytes, inner, out, at, bytes.length - inner);
    ObjectNode all = scalars;
    if (this.scalars != null) all = this.scalars.deepCopy().setAll(scalars);
    return new RawJson(out, all, true);
  }

  /**
   * Whether this object has a member named {@code name}: a scan of the bytes, which were checked
   * when they were cut, without building anything. A member whose name is written with escapes (or
   * a name that is not plain ASCII) counts as present: the safe answer both for a caller about to
   * add one and for {@link #get}, which then parses.
   */
  public boolean hasMember(String name) {
    if (scalars != null && scalars.has(name)) return true;
    if (!nested) return false;
    for (int k = 0; k < name.length(); k++) if (name.charAt(k) > 0x7e) return true;
    int depth = 0;
    boolean keyNext = false;
    for (int i = 0; i < bytes.length; i++) {
      byte c = bytes[i];
      if (c == '"') {
        int start = ++i;
        boolean escaped = false;
        while (bytes[i] != '"') {
          if (bytes[i] == '\\') {
            escaped = true;
            i++;
          }
          i++;
        }
        if (depth == 1 && keyNext) {
          if (escaped || sameAscii(start, i, name)) return true;
          keyNext = false;
        }
      } else if (c == '{' || c == '[') {
        depth++;
        keyNext = depth == 1;
      } else if (c == '}' || c == ']') {
        depth--;
      } else if (c == ',' && depth == 1) {
        keyNext = true;
      }
    }
    return false;
  }

  private boolean sameAscii(int from, int to, String name) {
    if (to - from != name.length()) return false;
    for (int k = 0; k < name.length(); k++) if (bytes[from + k] != name.charAt(k)) return false;
    return true;
  }

  /** {@code node} as a tree: a raw object parsed, anything else as it is. */
  public static JsonNode expand(JsonNode node) {
    return node instanceof RawJson raw ? raw.tree() : node;
  }

  /** Whether {@code node} is a JSON object, held as a tree or as bytes. */
  public static boolean isObject(JsonNode node) {
    return node != null && (node.isObject() || node instanceof RawJson);
  }

  @Override
  public JsonNode get(String name) {
    JsonNode v = scalars == null ? null : scalars.get(name);
    if (v != null || !nested) return v;
    // A member that is absent (a result without isError, asked by every call's metrics) is
    // found absent by a scan of the bytes, not by parsing them into a tree.
    ObjectNode t = tree;
    if (t == null && !hasMember(name)) return null;
    return tree().get(name);
  }

  @Override
  public JsonNode path(String name) {
    JsonNode v = get(name);
    return v == null ? MissingNode.getInstance() : v;
  }

  @Override
  public JsonNode get(int index) {
    return null;
  }

  @Override
  public JsonNode path(int index) {
    return MissingNode.getInstance();
  }

  @Override
  protected JsonNode _at(JsonPointer pointer) {
    JsonNode found = tree().at(pointer);
    return found.isMissingNode() ? null : found;
  }

  /** Immutable, like the bytes it holds: a copy is itself. */
  @Override
  @SuppressWarnings("unchecked")
  public RawJson deepCopy() {
    return this;
  }

  @Override
  public JsonNode findValue(String name) {
    return tree().findValue(name);
  }

  @Override
  public ObjectNode findParent(String name) {
    return tree().findParent(name);
  }

  @Override
  public List<JsonNode> findValues(String name, List<JsonNode> found) {
    return tree().findValues(name, found);
  }

  @Override
  public List<String> findValuesAsText(String name, List<String> found) {
    return tree().findValuesAsText(name, found);
  }

  @Override
  public List<JsonNode> findParents(String name, List<JsonNode> found) {
    return tree().findParents(name, found);
  }

  @Override
  public void serializeWithType(
      JsonGenerator g, SerializerProvider provider, TypeSerializer typeSer) throws IOException {
    serialize(g, provider);
  }

  @Override
  public JsonNodeType getNodeType() {
    return JsonNodeType.POJO;
  }

  @Override
  public JsonToken asToken() {
    return JsonToken.START_OBJECT;
  }

  @Override
  public String asText() {
    return "";
  }

  @Override
  public void serialize(JsonGenerator g, SerializerProvider provider) throws IOException {
    g.writeRawValue(new Text(bytes));
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof RawJson other && Arrays.equals(bytes, other.bytes);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(bytes);
  }

  @Override
  public String toString() {
    return new String(bytes, StandardCharsets.UTF_8);
  }

  /** The bytes as Jackson's raw text, which its UTF-8 generator copies straight into its buffer. */
  private record Text(byte[] utf8) implements SerializableString {
    @Override
    public String getValue() {
      return new String(utf8, StandardCharsets.UTF_8);
    }

    @Override
    public int charLength() {
      return getValue().length();
    }

    @Override
    public char[] asQuotedChars() {
      throw new UnsupportedOperationException("raw JSON is written unquoted");
    }

    @Override
    public byte[] asUnquotedUTF8() {
      return utf8;
    }

    @Override
    public byte[] asQuotedUTF8() {
      throw new UnsupportedOperationException("raw JSON is written unquoted");
    }

    @Override
    public int appendQuotedUTF8(byte[] buffer, int offset) {
      throw new UnsupportedOperationException("raw JSON is written unquoted");
    }

    @Override
    public int appendQuoted(char[] buffer, int offset) {
      throw new UnsupportedOperationException("raw JSON is written unquoted");
    }

    @Override
    public int appendUnquotedUTF8(byte[] buffer, int offset) {
      if (utf8.length > buffer.length - offset) return -1;
      System.arraycopy(utf8, 0, buffer, offset, utf8.length);
      return utf8.length;
    }

    @Override
    public int appendUnquoted(char[] buffer, int offset) {
      String s = getValue();
      if (s.length() > buffer.length - offset) return -1;
      s.getChars(0, s.length(), buffer, offset);
      return s.length();
    }

    @Override
    public int writeQuotedUTF8(OutputStream out) {
      throw new UnsupportedOperationException("raw JSON is written unquoted");
    }

    @Override
    public int writeUnquotedUTF8(OutputStream out) throws IOException {
      out.write(utf8);
      return utf8.length;
    }

    @Override
    public int putQuotedUTF8(ByteBuffer buffer) {
      throw new UnsupportedOperationException("raw JSON is written unquoted");
    }

    @Override
    public int putUnquotedUTF8(ByteBuffer buffer) {
      if (utf8.length > buffer.remaining()) return -1;
      buffer.put(utf8);
      return utf8.length;
    }
  }
}
