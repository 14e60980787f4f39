package dev.tandem.supervisor.pool;

import java.time.Instant;
import java.util.List;

/** The last unplanned end of a worker: what an open pool tells its callers and the status shows. */
record Death(String description, Instant at, List<String> stderrTail) {

  /** The last few stderr lines, as a suffix for an error message, or "" if it wrote none. */
  String lastLines(int n) {
    if (stderrTail.isEmpty()) return "";
    List<String> last = stderrTail.subList(Math.max(0, stderrTail.size() - n), stderrTail.size());
    return ". Its last stderr lines:\n" + String.join("\n", last);
  }
}
