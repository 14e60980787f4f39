package dev.tandem.protocol;

import java.io.OutputStream;
import java.util.Arrays;

/**
 * A growable byte buffer that frames are encoded into and gathered in, without the copies of a
 * {@code ByteArrayOutputStream} ({@code toByteArray}) or of Jackson's {@code writeValueAsBytes}.
 * Not thread-safe.
 */
public final class FrameBuffer extends OutputStream {

  /** A buffer a big frame grew past this is given back once it has been used. */
  static final int KEEP_AT_MOST = 256 * 1024;

  private final int initial;
  private byte[] buf;
  private int len;

  public FrameBuffer(int initialCapacity) {
    this.initial = initialCapacity;
    this.buf = new byte[initialCapacity];
  }

  @Override
  public void write(int b) {
    if (len == buf.length) grow(len + 1);
    buf[len++] = (byte) b;
  }

  @Override
  public void write(byte[] b, int off, int n) {
    if (len + n > buf.length) grow(len + n);
    System.arraycopy(b, off, buf, len, n);
    len += n;
  }

  /** Appends another buffer's bytes. */
  public void write(FrameBuffer other) {
    write(other.buf, 0, other.len);
  }

  public byte[] array() {
    return buf;
  }

  public int length() {
    return len;
  }

  public boolean isEmpty() {
    return len == 0;
  }

  /** Empties it, giving back the memory a big frame grew it to. */
  public void reset() {
    len = 0;
    if (buf.length > KEEP_AT_MOST) buf = new byte[initial];
  }

  /** Writes the bytes to {@code out} and empties the buffer. */
  public void writeTo(OutputStream out) throws java.io.IOException {
    out.write(buf, 0, len);
    reset();
  }

  private void grow(int needed) {
    buf = Arrays.copyOf(buf, Math.max(needed, buf.length * 2));
  }
}
