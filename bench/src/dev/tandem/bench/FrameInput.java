package dev.tandem.bench;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Newline-delimited frames off a server's stdout, read into one reused buffer and classified by a
 * scan of the top-level keys only: the driver must cost far less per call than the servers it
 * measures, so it never builds a JSON tree on the hot path.
 */
final class FrameInput {

  /** What a frame is, as far as the driver cares. {@code id} is -1 for a notification. */
  record Frame(long id, boolean rpcError, boolean toolError, String text) {
    boolean ok() {
      return !rpcError && !toolError;
    }
  }

  private static final byte[] IS_ERROR = "\"isError\":true".getBytes(StandardCharsets.US_ASCII);

  private final InputStream in;
  private byte[] buf = new byte[256 * 1024];
  private int start;
  private int end;

  FrameInput(InputStream in) {
    this.in = in;
  }

  /** Whether a whole frame is already buffered, so reading it will not block. */
  boolean hasBufferedFrame() {
    for (int i = start; i < end; i++) if (buf[i] == '\n') return true;
    return false;
  }

  /** The next frame; its text is kept (copied into a String) if it answers {@code keepId}. */
  Frame next(long keepId) throws IOException {
    while (true) {
      for (int i = start; i < end; i++) {
        if (buf[i] == '\n') {
          Frame f = classify(buf, start, i, keepId);
          start = i + 1;
          return f;
        }
      }
      fill();
    }
  }

  private void fill() throws IOException {
    if (start > 0) {
      System.arraycopy(buf, start, buf, 0, end - start);
      end -= start;
      start = 0;
    }
    if (end == buf.length) buf = Arrays.copyOf(buf, buf.length * 2);
    int n = in.read(buf, end, buf.length - end);
    if (n < 0) throw new EOFException("the server closed its stdout");
    end += n;
  }

  /** Top-level "id", "error" and "method" keys; a result's isError flag by substring. */
  static Frame classify(byte[] b, int from, int to, long keepId) {
    long id = -1;
    boolean error = false;
    boolean method = false;
    int depth = 0;
    int i = from;
    while (i < to) {
      byte c = b[i];
      if (c == '"') {
        int keyStart = i + 1;
        int j = keyStart;
        while (j < to && b[j] != '"') j += b[j] == '\\' ? 2 : 1;
        int keyEnd = j;
        i = j + 1;
        if (depth != 1) continue;
        while (i < to && (b[i] == ' ' || b[i] == '\t')) i++;
        if (i >= to || b[i] != ':') continue; // a string value, not a key
        i++;
        while (i < to && (b[i] == ' ' || b[i] == '\t')) i++;
        if (is(b, keyStart, keyEnd, "id")) {
          long v = 0;
          boolean digits = false;
          while (i < to && b[i] >= '0' && b[i] <= '9') {
            v = v * 10 + (b[i++] - '0');
            digits = true;
          }
          if (digits) id = v;
        } else if (is(b, keyStart, keyEnd, "error")) {
          error = true;
        } else if (is(b, keyStart, keyEnd, "method")) {
          method = true;
        }
        continue;
      }
      if (c == '{' || c == '[') depth++;
      else if (c == '}' || c == ']') depth--;
      i++;
    }
    if (method) id = -1; // a notification, or a request the server makes of us
    boolean toolError = !error && indexOf(b, from, to, IS_ERROR) >= 0;
    String text = (keepId >= 0 && id == keepId) || error || toolError ? new String(b, from, to - from, StandardCharsets.UTF_8) : null;
    return new Frame(id, error, toolError, text);
  }

  private static boolean is(byte[] b, int from, int to, String key) {
    if (to - from != key.length()) return false;
    for (int k = 0; k < key.length(); k++) if (b[from + k] != key.charAt(k)) return false;
    return true;
  }

  private static int indexOf(byte[] b, int from, int to, byte[] needle) {
    outer:
    for (int i = from; i <= to - needle.length; i++) {
      for (int k = 0; k < needle.length; k++) if (b[i + k] != needle[k]) continue outer;
      return i;
    }
    return -1;
  }
}
