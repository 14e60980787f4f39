package dev.tandem.protocol;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;

/**
 * Splits a byte stream into newline-delimited frames and decodes each one, holding at most {@code
 * maxFrameBytes} of any frame in memory. A frame over the limit is reported once, as soon as the
 * limit is passed, and the rest of it is skipped up to its newline: a peer that never ends a line
 * costs a bounded buffer, not the heap.
 */
public final class FrameReader {

  public static final int DEFAULT_MAX_FRAME_BYTES = 4 * 1024 * 1024;

  private final InputStream in;
  private final int maxFrameBytes;
  private final byte[] chunk = new byte[64 * 1024];
  private int chunkPos;
  private int chunkLen;
  private byte[] line = new byte[8 * 1024];
  private int lineLen;
  private boolean skipping;

  /**
   * Where {@link #hasBufferedFrame} found the next newline in the chunk, or -1: not scanned twice.
   */
  private int knownNewline = -1;

  public FrameReader(InputStream in, int maxFrameBytes) {
    this(in, maxFrameBytes, false);
  }

  /**
   * @param recoverGlued when a frame is not JSON, look in it for a message glued to its end: a peer
   *     that wrote a partial line (a stray {@code print} without newline, a crash mid-write) glues
   *     it to the next message it writes, and that message, an answer someone waits for, must not
   *     be lost with the garbage. For a worker's stdout; a host's frames are answered as they are.
   */
  public FrameReader(InputStream in, int maxFrameBytes, boolean recoverGlued) {
    this(in, maxFrameBytes, recoverGlued, null);
  }

  /**
   * @param passthrough the payloads that stay bytes ({@link EnvelopeDecoder}); null: none, every
   *     frame becomes a tree.
   */
  public FrameReader(
      InputStream in,
      int maxFrameBytes,
      boolean recoverGlued,
      EnvelopeDecoder.Passthrough passthrough) {
    this.in = in;
    this.maxFrameBytes = maxFrameBytes;
    this.recoverGlued = recoverGlued;
    this.passthrough = passthrough;
  }

  private final EnvelopeDecoder.Passthrough passthrough;

  private Decoded decodeOne(byte[] buf, int start, int n) {
    return passthrough == null
        ? MessageCodec.decode(buf, start, n)
        : EnvelopeDecoder.decode(buf, start, n, passthrough);
  }

  private final boolean recoverGlued;

  /** A message recovered from the end of a garbage frame, returned by the next {@link #next}. */
  private Decoded recovered;

  /**
   * The next frame's verdict, or null at end of stream. A final frame without a newline is still
   * decoded, so a peer that closes right after writing is not silently truncated.
   */
  public Decoded next() throws IOException {
    if (recovered != null) {
      Decoded r = recovered;
      recovered = null;
      return r;
    }
    while (true) {
      if (chunkPos == chunkLen) {
        chunkLen = in.read(chunk);
        chunkPos = 0;
        knownNewline = -1;
        if (chunkLen <= 0) {
          chunkLen = 0;
          if (skipping) {
            skipping = false;
            return null;
          }
          if (lineLen == 0) return null;
          return finishLine();
        }
      }
      int nl = knownNewline >= chunkPos ? knownNewline : indexOfNewline(chunk, chunkPos, chunkLen);
      knownNewline = -1;
      int segmentEnd = nl < 0 ? chunkLen : nl;
      int n = segmentEnd - chunkPos;
      int next = nl < 0 ? chunkLen : nl + 1;
      if (skipping) {
        chunkPos = next;
        if (nl >= 0) skipping = false;
        continue;
      }
      // +1 leaves room for the '\r' of a CRLF peer, which does not count against the limit.
      if (lineLen + n > maxFrameBytes + 1) {
        JsonNode id = idOfOversized(n);
        lineLen = 0;
        chunkPos = next;
        skipping = nl < 0;
        return oversized(id);
      }
      if (nl >= 0 && lineLen == 0) {
        // The whole frame is in the chunk (the usual case): decoded where it lies, not copied.
        int start = chunkPos;
        chunkPos = next;
        if (n > 0 && chunk[start + n - 1] == '\r') n--;
        if (n > maxFrameBytes) return oversized(LeadingId.of(chunk, start, n));
        return decode(chunk, start, n);
      }
      append(chunk, chunkPos, n);
      chunkPos = next;
      if (nl >= 0) return finishLine();
    }
  }

  /**
   * Whether a whole frame is already buffered, so that {@link #next} will not block for it: a
   * reader ends its {@link Turn} when there is none.
   */
  public boolean hasBufferedFrame() {
    if (recovered != null) return true;
    if (knownNewline < chunkPos) knownNewline = indexOfNewline(chunk, chunkPos, chunkLen);
    return knownNewline >= 0;
  }

  private Decoded finishLine() {
    int len = lineLen;
    lineLen = 0;
    if (len > 0 && line[len - 1] == '\r') len--;
    if (len > maxFrameBytes) return oversized(LeadingId.of(line, 0, len));
    Decoded decoded = decode(line, 0, len);
    if (line.length > 256 * 1024) line = new byte[8 * 1024]; // give back a buffer a big frame grew
    return decoded;
  }

  private static final byte[] MESSAGE_START =
      "{\"jsonrpc\"".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

  private Decoded decode(byte[] buf, int start, int n) {
    Decoded decoded = decodeOne(buf, start, n);
    if (!recoverGlued
        || !(decoded instanceof Decoded.Invalid bad)
        || bad.code() != RpcError.PARSE_ERROR) return decoded;
    // The garbage is a prefix (the message's newline ended the frame): try each later start.
    for (int at = indexOf(buf, start + 1, start + n, MESSAGE_START);
        at >= 0;
        at = indexOf(buf, at + 1, start + n, MESSAGE_START)) {
      if (decodeOne(buf, at, start + n - at) instanceof Message m) {
        recovered = m;
        return new Decoded.Invalid(
            bad.code(),
            bad.reason()
                + " ("
                + (at - start)
                + " bytes before a message glued to them;"
                + " the message was read)",
            bad.id());
      }
    }
    return decoded;
  }

  private static int indexOf(byte[] buf, int from, int to, byte[] what) {
    outer:
    for (int i = from; i <= to - what.length; i++) {
      for (int j = 0; j < what.length; j++) {
        if (buf[i + j] != what[j]) continue outer;
      }
      return i;
    }
    return -1;
  }

  /**
   * The id at the start of the frame being cut: what is held of it, then the chunk's next {@code n}
   * bytes.
   */
  private JsonNode idOfOversized(int n) {
    if (lineLen >= LeadingId.PREFIX_BYTES || lineLen == 0) {
      return lineLen == 0 ? LeadingId.of(chunk, chunkPos, n) : LeadingId.of(line, 0, lineLen);
    }
    byte[] prefix = Arrays.copyOf(line, Math.min(LeadingId.PREFIX_BYTES, lineLen + n));
    System.arraycopy(chunk, chunkPos, prefix, lineLen, prefix.length - lineLen);
    return LeadingId.of(prefix, 0, prefix.length);
  }

  /**
   * Answered with the request's id when its first bytes name one, so the caller is not left
   * waiting.
   */
  private Decoded.Invalid oversized(JsonNode id) {
    return new Decoded.Invalid(
        RpcError.INVALID_REQUEST,
        "Invalid Request: frame exceeds the limit of "
            + maxFrameBytes
            + " bytes and was discarded; send smaller messages or raise max_frame_bytes",
        id);
  }

  private void append(byte[] src, int off, int n) {
    if (lineLen + n > line.length) {
      line =
          Arrays.copyOf(line, Math.max(lineLen + n, Math.min(line.length * 2, maxFrameBytes + 1)));
    }
    System.arraycopy(src, off, line, lineLen, n);
    lineLen += n;
  }

  private static int indexOfNewline(byte[] buf, int from, int to) {
    for (int i = from; i < to; i++) {
      if (buf[i] == '\n') return i;
    }
    return -1;
  }
}
