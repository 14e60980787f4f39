package dev.tandem.supervisor.worker;

import dev.tandem.supervisor.log.Secrets;
import java.util.ArrayDeque;
import java.util.List;

/**
 * The last lines a worker wrote to stderr, kept so a death or failed start can show its cause.
 * Redacted when read, not when kept: a snapshot is rare, a line is not.
 */
final class StderrTail {

  private final int capacity;
  private final ArrayDeque<String> lines;

  StderrTail(int capacity) {
    this.capacity = capacity;
    this.lines = new ArrayDeque<>(capacity);
  }

  synchronized void add(String line) {
    if (lines.size() == capacity) lines.removeFirst();
    lines.addLast(line);
  }

  synchronized List<String> snapshot() {
    return Secrets.redact(List.copyOf(lines));
  }
}
