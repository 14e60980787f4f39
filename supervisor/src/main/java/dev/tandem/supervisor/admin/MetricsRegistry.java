package dev.tandem.supervisor.admin;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * The daemon's metrics, scraped as Prometheus text at {@code /metrics}. Thread-safe: recording is
 * lock-free (adders), registration happens at start, a scrape reads whatever is current. No
 * metrics library: the format is small and this keeps the daemon's dependencies to Netty and
 * Jackson.
 */
public final class MetricsRegistry {

  private static final Pattern NAME = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
  private static final Pattern LABEL = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");

  private final List<Family> families = new CopyOnWriteArrayList<>();

  public Counter counter(String name, String help, String... labelNames) {
    return add(new Counter(name, help, labels(name, labelNames)));
  }

  public Histogram histogram(String name, String help, double[] bounds, String... labelNames) {
    return add(new Histogram(name, help, bounds, labels(name, labelNames)));
  }

  /** A gauge read at scrape time: {@code source} maps label values (in labelNames order) to a value. */
  public void gauge(String name, String help, List<String> labelNames, Supplier<Map<List<String>, ? extends Number>> source) {
    add(new Sampled(name, help, "gauge", labels(name, labelNames.toArray(String[]::new)), source));
  }

  /** A counter kept elsewhere (a pool's restarts) and read at scrape time. */
  public void counterFrom(String name, String help, List<String> labelNames, Supplier<Map<List<String>, ? extends Number>> source) {
    add(new Sampled(name, help, "counter", labels(name, labelNames.toArray(String[]::new)), source));
  }

  public String scrape() {
    PrometheusText out = new PrometheusText();
    for (Family f : families) f.writeTo(out);
    return out.toString();
  }

  private <F extends Family> F add(F family) {
    if (!NAME.matcher(family.name()).matches()) throw new IllegalArgumentException("not a metric name: " + family.name());
    if (families.stream().anyMatch(f -> f.name().equals(family.name()))) {
      throw new IllegalArgumentException("metric " + family.name() + " is registered twice");
    }
    families.add(family);
    return family;
  }

  private static List<String> labels(String metric, String[] names) {
    for (String n : names) {
      if (!LABEL.matcher(n).matches() || n.startsWith("__")) {
        throw new IllegalArgumentException(metric + ": not a label name: " + n);
      }
    }
    return List.of(names);
  }
}
