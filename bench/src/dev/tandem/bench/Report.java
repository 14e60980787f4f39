package dev.tandem.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The run's figures: one row per measure and server, each against a baseline (the floor, the
 * minimal Python server, unless the row names another), judged against the target; printed
 * as one table and written as JSON.
 */
final class Report {

  /** The baseline a row is divided by unless it names another. */
  static final String FLOOR = "floor";

  /** How a row's target reads its figure: a ratio to the baseline, or the measured value itself. */
  enum Judge {
    RATIO_AT_MOST,
    RATIO_AT_LEAST,
    RATIO_ABOVE,
    VALUE_AT_MOST,
    VALUE_BELOW,
    NONE
  }

  /**
   * One figure: {@code value} measured on {@code server}, divided by {@code baseline} measured on
   * {@code against} in the same run (null when there is no counterpart).
   */
  record Row(String key, String measure, String server, String unit, double value, Double baseline, String against, Judge judge,
      double limit, String note) {

    /** A row whose baseline is the floor. */
    Row(String key, String measure, String server, String unit, double value, Double baseline, Judge judge, double limit, String note) {
      this(key, measure, server, unit, value, baseline, FLOOR, judge, limit, note);
    }

    Double ratio() {
      return baseline == null || baseline == 0 ? null : value / baseline;
    }

    Boolean met() {
      Double r = ratio();
      return switch (judge) {
        case RATIO_AT_MOST -> r == null ? null : r <= limit;
        case RATIO_AT_LEAST -> r == null ? null : r >= limit;
        case RATIO_ABOVE -> r == null ? null : r > limit;
        case VALUE_AT_MOST -> value <= limit;
        case VALUE_BELOW -> value < limit;
        case NONE -> null;
      };
    }

    String target() {
      String l = fmt(limit);
      return switch (judge) {
        case RATIO_AT_MOST -> "≤ " + l + "×";
        case RATIO_AT_LEAST -> "≥ " + l + "×";
        case RATIO_ABOVE -> "> " + l + "×";
        case VALUE_AT_MOST -> "≤ " + l + " " + unit;
        case VALUE_BELOW -> "< " + l + " " + unit;
        case NONE -> "—";
      };
    }
  }

  private final List<Row> rows = new ArrayList<>();
  private final Map<String, Object> details = new LinkedHashMap<>();
  private final Map<String, Object> machine = new LinkedHashMap<>();

  void add(Row row) {
    rows.add(row);
  }

  void detail(String scenario, Map<String, Object> values) {
    details.put(scenario, values);
  }

  Map<String, Object> machine() {
    return machine;
  }

  List<Row> rows() {
    return rows;
  }

  String table() {
    String[] head = {"measure", "server", "value", "baseline", "ratio", "target", "met"};
    List<String[]> cells = new ArrayList<>();
    cells.add(head);
    for (Row r : rows) {
      Double ratio = r.ratio();
      Boolean met = r.met();
      cells.add(new String[] {
          r.measure() + (r.against().equals(FLOOR) ? "" : ", vs " + r.against()) + " (" + r.unit() + ")",
          r.server(),
          fmt(r.value()),
          r.baseline() == null ? "—" : fmt(r.baseline()),
          ratio == null ? "—" : String.format(Locale.ROOT, "%.2f×", ratio),
          r.target(),
          met == null ? "—" : met ? "met" : "MISSED"});
    }
    int[] width = new int[head.length];
    for (String[] row : cells) for (int c = 0; c < row.length; c++) width[c] = Math.max(width[c], row[c].length());
    StringBuilder b = new StringBuilder();
    for (int k = 0; k < cells.size(); k++) {
      String[] row = cells.get(k);
      b.append('|');
      for (int c = 0; c < row.length; c++) {
        String cell = row[c];
        String pad = " ".repeat(width[c] - cell.length());
        b.append(' ').append(c <= 1 ? cell + pad : pad + cell).append(" |");
      }
      b.append('\n');
      if (k == 0) {
        b.append('|');
        for (int c = 0; c < row.length; c++) b.append(c <= 1 ? " :" : " ").append("-".repeat(width[c] - 1)).append(c <= 1 ? " |" : ": |");
        b.append('\n');
      }
    }
    b.append("baseline: the floor (bench/floor/mcp_floor.py, the minimal Python MCP server) unless the measure says \"vs\" another\n");
    return b.toString();
  }

  void write(Path file, String command) throws IOException {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("command", command);
    out.put("machine", machine);
    List<Object> list = new ArrayList<>();
    for (Row r : rows) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("key", r.key());
      m.put("measure", r.measure());
      m.put("server", r.server());
      m.put("unit", r.unit());
      m.put("value", r.value());
      m.put("baseline", r.baseline());
      m.put("baseline_server", r.against());
      m.put("ratio", r.ratio());
      m.put("target", r.target());
      m.put("met", r.met());
      if (r.note() != null) m.put("note", r.note());
      list.add(m);
    }
    out.put("rows", list);
    out.put("details", details);
    Files.createDirectories(file.getParent());
    Files.writeString(file, MiniJson.write(out));
  }

  static String fmt(double v) {
    if (v == Math.rint(v) && Math.abs(v) < 1e9) return String.format(Locale.ROOT, "%d", (long) v);
    if (Math.abs(v) >= 100) return String.format(Locale.ROOT, "%.0f", v);
    if (Math.abs(v) >= 10) return String.format(Locale.ROOT, "%.1f", v);
    return String.format(Locale.ROOT, "%.2f", v);
  }
}
