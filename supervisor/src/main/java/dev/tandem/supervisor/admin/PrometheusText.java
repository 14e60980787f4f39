package dev.tandem.supervisor.admin;

import java.util.List;

/**
 * Writes the Prometheus text exposition format, version 0.0.4: per family a {@code # HELP} and a
 * {@code # TYPE} line, then one {@code name{label="value",...} number} line per sample. Label
 * values escape backslash, double quote and newline; help text escapes backslash and newline, as
 * the format requires, so a tool name can never break a scrape.
 */
final class PrometheusText {

  static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

  private final StringBuilder out = new StringBuilder(4096);

  void header(String name, String help, String type) {
    out.append("# HELP ").append(name).append(' ').append(escapeHelp(help)).append('\n');
    out.append("# TYPE ").append(name).append(' ').append(type).append('\n');
  }

  void sample(String name, List<String> labelNames, List<String> labelValues, String extraLabel, String extraValue, String value) {
    out.append(name);
    boolean any = !labelNames.isEmpty() || extraLabel != null;
    if (any) {
      out.append('{');
      for (int i = 0; i < labelNames.size(); i++) {
        if (i > 0) out.append(',');
        out.append(labelNames.get(i)).append("=\"").append(escapeLabel(labelValues.get(i))).append('"');
      }
      if (extraLabel != null) {
        if (!labelNames.isEmpty()) out.append(',');
        out.append(extraLabel).append("=\"").append(escapeLabel(extraValue)).append('"');
      }
      out.append('}');
    }
    out.append(' ').append(value).append('\n');
  }

  void sample(String name, List<String> labelNames, List<String> labelValues, String value) {
    sample(name, labelNames, labelValues, null, null, value);
  }

  static String number(double v) {
    if (Double.isInfinite(v)) return v > 0 ? "+Inf" : "-Inf";
    if (Double.isNaN(v)) return "NaN";
    if (v == Math.rint(v) && Math.abs(v) < 1e15) return Long.toString((long) v);
    return Double.toString(v);
  }

  private static String escapeLabel(String s) {
    return s.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
  }

  private static String escapeHelp(String s) {
    return s.replace("\\", "\\\\").replace("\n", "\\n");
  }

  @Override
  public String toString() {
    return out.toString();
  }
}
