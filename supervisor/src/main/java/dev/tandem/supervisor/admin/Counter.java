package dev.tandem.supervisor.admin;

import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/** A counter family: one {@link LongAdder} per label combination, cheap to bump from any thread. */
public final class Counter implements Family {

  private final String name;
  private final String help;
  private final List<String> labelNames;
  private final Map<List<String>, LongAdder> children = new ConcurrentHashMap<>();

  Counter(String name, String help, List<String> labelNames) {
    this.name = name;
    this.help = help;
    this.labelNames = labelNames;
  }

  public void inc(String... labelValues) {
    child(labelValues).increment();
  }

  public long value(String... labelValues) {
    LongAdder a = children.get(List.of(labelValues));
    return a == null ? 0 : a.sum();
  }

  private LongAdder child(String[] labelValues) {
    if (labelValues.length != labelNames.size()) {
      throw new IllegalArgumentException(name + " takes labels " + labelNames + ", got " + labelValues.length + " values");
    }
    return children.computeIfAbsent(List.of(labelValues), k -> new LongAdder());
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public void writeTo(PrometheusText out) {
    out.header(name, help, "counter");
    children.entrySet().stream()
        .sorted(Map.Entry.comparingByKey(Comparator.comparing(Object::toString)))
        .forEach(e -> out.sample(name, labelNames, e.getKey(), Long.toString(e.getValue().sum())));
  }
}
