package dev.tandem.protocol;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.NullNode;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The id of a request that cannot be decoded whole (over the frame limit), read from its first
 * bytes, so the error answers the request that caused it instead of leaving it waiting: JSON-RPC
 * peers, the daemon and the SDKs among them, write a top-level {@code "id"} before anything nested.
 * The same rule as {@code tandem.wire.salvage_id}; {@code protocol/vectors} holds both to it.
 */
public final class LeadingId {

  /** How much of a frame's start is looked at: an id comes first or not at all. */
  public static final int PREFIX_BYTES = 512;

  // On bytes read as ISO-8859-1 (one char per byte), as Python's regex reads bytes.
  private static final Pattern LEADING_ID =
      Pattern.compile(
          "^\\s*\\{[^{}\\[\\]]*?\"id\"\\s*:\\s*(-?\\d{1,18}|\"(?:[^\"\\\\]|\\\\.){0,200}\")\\s*[,}]",
          Pattern.DOTALL);

  private LeadingId() {}

  /**
   * The id found in {@code buf[off, off+len)} (at most its first {@link #PREFIX_BYTES}), else JSON
   * null.
   */
  public static JsonNode of(byte[] buf, int off, int len) {
    int n = Math.min(len, PREFIX_BYTES);
    Matcher m = LEADING_ID.matcher(new String(buf, off, n, StandardCharsets.ISO_8859_1));
    if (!m.lookingAt()) return NullNode.instance;
    try {
      JsonNode id = Json.MAPPER.readTree(buf, off + m.start(1), m.end(1) - m.start(1));
      return id != null && (id.isTextual() || id.canConvertToLong() && id.isIntegralNumber())
          ? id
          : NullNode.instance;
    } catch (java.io.IOException e) {
      return NullNode.instance;
    }
  }
}
