package dev.tandem.bench.jmh;

import java.nio.charset.StandardCharsets;

/** The frames of one trivial call, as they cross each pipe. */
final class Frames {

  private Frames() {}

  /** What a host sends: tools/call of echo. */
  static final byte[] HOST_CALL = bytes(
      "{\"jsonrpc\":\"2.0\",\"id\":42,\"method\":\"tools/call\",\"params\":{\"name\":\"echo\",\"arguments\":{\"text\":\"hello\"}}}");

  /** What a tandem worker answers to it. */
  static final byte[] WORKER_RESULT = bytes(
      "{\"jsonrpc\":\"2.0\",\"id\":7,\"result\":{\"content\":[{\"type\":\"text\",\"text\":\"hello\"}],\"isError\":false}}");

  /** A tool call carrying 4 KiB of text: the size of a modest prompt or document argument. */
  static final byte[] HOST_CALL_4K = bytes(
      "{\"jsonrpc\":\"2.0\",\"id\":43,\"method\":\"tools/call\",\"params\":{\"name\":\"echo\",\"arguments\":{\"text\":\""
          + "lorem ipsum ".repeat(4096 / 12) + "\"}}}");

  static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  /** n copies of a frame, each ending in a newline: a stream as a pipe delivers it. */
  static byte[] stream(byte[] frame, int n) {
    byte[] out = new byte[(frame.length + 1) * n];
    for (int i = 0; i < n; i++) {
      System.arraycopy(frame, 0, out, i * (frame.length + 1), frame.length);
      out[i * (frame.length + 1) + frame.length] = '\n';
    }
    return out;
  }
}
