package dev.tandem.it;

import java.util.ArrayList;
import java.util.List;

/** The chaos table: a row per scenario, a total row, then what the wrong answers looked like. */
final class ChaosTable {

  private ChaosTable() {}

  static final String[] HEADER = {
    "scenario", "via", "tried", "correct", "lost", "doubled", "leaked", "note"
  };

  static String render(List<ChaosRow> rows) {
    List<String[]> lines = new ArrayList<>();
    lines.add(HEADER);
    int tried = 0, correct = 0, lost = 0, doubled = 0, leaked = 0;
    for (ChaosRow r : rows) {
      lines.add(
          cells(
              r.scenario(),
              r.transport(),
              r.tried(),
              r.correct(),
              r.lost(),
              r.doubled(),
              r.leaked(),
              r.note()));
      tried += r.tried();
      correct += r.correct();
      lost += r.lost();
      doubled += r.doubled();
      leaked += r.leaked();
    }
    lines.add(
        cells("total", "", tried, correct, lost, doubled, leaked, rows.size() + " scenarios"));
    int[] width = new int[HEADER.length];
    for (String[] l : lines)
      for (int i = 0; i < l.length; i++) width[i] = Math.max(width[i], l[i].length());
    StringBuilder out = new StringBuilder();
    for (int n = 0; n < lines.size(); n++) {
      if (n == 1 || n == lines.size() - 1) out.append(rule(width));
      String[] l = lines.get(n);
      for (int i = 0; i < l.length; i++) {
        boolean number = i >= 2 && i <= 6;
        String cell =
            number
                ? " ".repeat(width[i] - l[i].length()) + l[i]
                : l[i] + " ".repeat(width[i] - l[i].length());
        out.append(i == 0 ? "" : "  ").append(i == l.length - 1 ? cell.stripTrailing() : cell);
      }
      out.append('\n');
    }
    for (ChaosRow r : rows) {
      for (String w : r.wrong())
        out.append("\n")
            .append(r.scenario())
            .append(" (")
            .append(r.transport())
            .append("): ")
            .append(w);
    }
    if (rows.stream().anyMatch(r -> !r.wrong().isEmpty())) out.append('\n');
    return out.toString();
  }

  private static String[] cells(
      String scenario,
      String via,
      int tried,
      int correct,
      int lost,
      int doubled,
      int leaked,
      String note) {
    return new String[] {
      scenario,
      via,
      Integer.toString(tried),
      Integer.toString(correct),
      Integer.toString(lost),
      Integer.toString(doubled),
      Integer.toString(leaked),
      note
    };
  }

  private static String rule(int[] width) {
    int total = 0;
    for (int w : width) total += w + 2;
    return "-".repeat(Math.min(total - 2, 140)) + "\n";
  }
}
