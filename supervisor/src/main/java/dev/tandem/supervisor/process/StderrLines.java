package dev.tandem.supervisor.process;

import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;

/**
 * Cuts what a child writes to stderr into lines for the log. zt-exec's pump copies the pipe into
 * this stream; its own {@code LogOutputStream} would hold a line of any length, so one without a
 * newline could grow until the daemon runs out of memory: here a line keeps its first {@link
 * #MAX_LINE} bytes and the rest of it is dropped. Lines are cut from each write in runs, not byte
 * by byte.
 */
final class StderrLines extends OutputStream {

  static final int MAX_LINE = 16 * 1024;

  private final Consumer<String> lines;
  private final byte[] line = new byte[MAX_LINE];
  private int length;

  StderrLines(Consumer<String> lines) {
    this.lines = lines;
  }

  @Override
  public void write(int b) {
    write(new byte[] {(byte) b}, 0, 1);
  }

  @Override
  public void write(byte[] buf, int off, int len) {
    int from = off;
    int end = off + len;
    while (from < end) {
      int nl = from;
      while (nl < end && buf[nl] != '\n') nl++;
      int take = Math.min(nl - from, MAX_LINE - length);
      System.arraycopy(buf, from, line, length, take);
      length += take;
      if (nl == end) return;
      emit();
      from = nl + 1;
    }
  }

  /** The pump closes this stream at the pipe's end: a last line without a newline still counts. */
  @Override
  public void close() {
    if (length > 0) emit();
  }

  private void emit() {
    int end = length > 0 && line[length - 1] == '\r' ? length - 1 : length;
    lines.accept(new String(line, 0, end, StandardCharsets.UTF_8));
    length = 0;
  }
}
