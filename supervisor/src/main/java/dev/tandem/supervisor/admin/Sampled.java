package dev.tandem.supervisor.admin;

import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * A family whose values are read from the live objects at scrape time (a pool's ready workers, a
 * worker's restarts): nothing is stored, so it cannot drift from what it reports.
 */
final class Sampled implements Family {

  private final String name;
  private final String help;
  private final String type;
  private final List<String> labelNames;
  private final Supplier<Map<List<String>, ? extends Number>> source;

  Sampled(String name, String help, String type, List<String> labelNames, Supplier<Map<List<String>, ? extends Number>> source) {
    this.name = name;
    this.help = help;
    this.type = type;
    this.labelNames = labelNames;
    this.source = source;
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public void writeTo(PrometheusText out) {
    out.header(name, help, type);
    source.get().forEach((labels, value) -> out.sample(name, labelNames, labels, PrometheusText.number(value.doubleValue())));
  }
}
