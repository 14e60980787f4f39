package dev.tandem.supervisor.admin;

import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.DoubleAdder;
import java.util.concurrent.atomic.LongAdder;

/**
 * A histogram family with fixed upper bounds. Each observation bumps one bucket (the first bound
 * not below it) so recording is two adder increments; the cumulative {@code _bucket{le=...}}
 * series Prometheus expects are summed only when scraped.
 */
public final class Histogram implements Family {

  private final String name;
  private final String help;
  private final double[] bounds;
  private final List<String> labelNames;
  private final Map<List<String>, Child> children = new ConcurrentHashMap<>();

  Histogram(String name, String help, double[] bounds, List<String> labelNames) {
    double[] sorted = bounds.clone();
    Arrays.sort(sorted);
    this.name = name;
    this.help = help;
    this.bounds = sorted;
    this.labelNames = labelNames;
  }

  public void observe(double value, String... labelValues) {
    if (labelValues.length != labelNames.size()) {
      throw new IllegalArgumentException(name + " takes labels " + labelNames + ", got " + labelValues.length + " values");
    }
    Child c = children.computeIfAbsent(List.of(labelValues), k -> new Child(bounds.length + 1));
    int i = 0;
    while (i < bounds.length && value > bounds[i]) i++;
    c.buckets[i].increment();
    c.sum.add(value);
    c.count.increment();
  }

  public long count(String... labelValues) {
    Child c = children.get(List.of(labelValues));
    return c == null ? 0 : c.count.sum();
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public void writeTo(PrometheusText out) {
    out.header(name, help, "histogram");
    children.entrySet().stream()
        .sorted(Map.Entry.comparingByKey(Comparator.comparing(Object::toString)))
        .forEach(e -> {
          Child c = e.getValue();
          long cumulative = 0;
          for (int i = 0; i <= bounds.length; i++) {
            cumulative += c.buckets[i].sum();
            String le = i < bounds.length ? PrometheusText.number(bounds[i]) : "+Inf";
            out.sample(name + "_bucket", labelNames, e.getKey(), "le", le, Long.toString(cumulative));
          }
          out.sample(name + "_sum", labelNames, e.getKey(), PrometheusText.number(c.sum.sum()));
          // _count from the buckets read above, so a scrape racing an observation stays consistent.
          out.sample(name + "_count", labelNames, e.getKey(), Long.toString(cumulative));
        });
  }

  private static final class Child {
    final LongAdder[] buckets;
    final DoubleAdder sum = new DoubleAdder();
    final LongAdder count = new LongAdder();

    Child(int n) {
      buckets = new LongAdder[n];
      for (int i = 0; i < n; i++) buckets[i] = new LongAdder();
    }
  }
}
