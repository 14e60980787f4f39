package dev.tandem.supervisor.pool;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A worker whose module did not import, read off its stderr: the module, the traceback's last
 * lines, the error ({@code ModuleNotFoundError: No module named 'requestsx'}) and where it was
 * raised in the user's code. What a person needs to fix it, for the error a host shows and the one
 * a reload answers, not only for the log.
 */
record ImportFailure(String module, List<String> tail, String error, String where) {

  /** The line the worker runtime writes before the traceback of a module that did not import. */
  private static final Pattern IMPORT_FAILED =
      Pattern.compile("tandem: failed to import module '([^']+)'");

  private static final Pattern FRAME = Pattern.compile("^\\s*File \"([^\"]+)\", line (\\d+)");

  /** Enough of a traceback to show the file, the line, the caret and the error. */
  static final int TRACEBACK_LINES = 8;

  /** The import failure {@code stderr} reports, or null when it names none. */
  static ImportFailure in(List<String> stderr) {
    String module = null;
    int from = -1;
    for (int i = 0; i < stderr.size(); i++) {
      Matcher m = IMPORT_FAILED.matcher(stderr.get(i));
      if (m.find()) {
        module = m.group(1);
        from = i + 1;
      }
    }
    if (module == null) return null;
    List<String> traceback = stderr.subList(from, stderr.size());
    String where = null;
    for (String line : traceback) {
      Matcher m = FRAME.matcher(line);
      // The last frame outside the interpreter's own import machinery is the user's line.
      if (m.find() && !m.group(1).startsWith("<frozen "))
        where = m.group(1) + ", line " + m.group(2);
    }
    List<String> tail =
        List.copyOf(
            traceback.subList(Math.max(0, traceback.size() - TRACEBACK_LINES), traceback.size()));
    return new ImportFailure(module, tail, lastNonBlank(tail), where);
  }

  /** One line: {@code module 'x' failed to import: Error: message (File "f.py", line 3)}. */
  String summary() {
    return "module '"
        + module
        + "' failed to import: "
        + error
        + (where == null ? "" : " (at " + where + ")");
  }

  private static String lastNonBlank(List<String> lines) {
    for (int i = lines.size() - 1; i >= 0; i--)
      if (!lines.get(i).isBlank()) return lines.get(i).strip();
    return "no traceback";
  }
}
