package dev.tandem.supervisor.admin;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The daemon's metrics, scraped as Prometheus text at {@code /metrics}: the Prometheus Java
 * client's registry and text writer (names, label escaping, cumulative buckets and the format are
 * theirs), with the two shapes tandem needs on top: metrics recorded as calls end (counters, a
 * histogram), and values read from the live pools at scrape time, which therefore cannot drift from
 * what they report. Exemplars are off: no tracer runs here, and a call should not pay for looking
 * one up.
 */
public final class MetricsRegistry {

  /** The Prometheus text format, version 0.0.4. */
  static final String CONTENT_TYPE = PrometheusTextFormatWriter.CONTENT_TYPE;

  private final PrometheusRegistry registry = new PrometheusRegistry();
  private final PrometheusTextFormatWriter writer = PrometheusTextFormatWriter.create();

  public Counter counter(String name, String help, String... labelNames) {
    return Counter.builder()
        .name(name)
        .help(help)
        .labelNames(labelNames)
        .withoutExemplars()
        .register(registry);
  }

  public Histogram histogram(String name, String help, double[] bounds, String... labelNames) {
    return Histogram.builder()
        .name(name)
        .help(help)
        .labelNames(labelNames)
        .classicOnly()
        .classicUpperBounds(bounds)
        .withoutExemplars()
        .register(registry);
  }

  /**
   * A gauge read at scrape time: {@code source} maps label values (in labelNames order) to a value.
   */
  public void gauge(
      String name,
      String help,
      List<String> labelNames,
      Supplier<Map<List<String>, ? extends Number>> source) {
    GaugeWithCallback.builder()
        .name(name)
        .help(help)
        .labelNames(labelNames.toArray(String[]::new))
        .callback(sample -> readEach(source, sample::call))
        .register(registry);
  }

  /** A counter kept elsewhere (a pool's restarts) and read at scrape time. */
  public void counterFrom(
      String name,
      String help,
      List<String> labelNames,
      Supplier<Map<List<String>, ? extends Number>> source) {
    CounterWithCallback.builder()
        .name(name)
        .help(help)
        .labelNames(labelNames.toArray(String[]::new))
        .callback(sample -> readEach(source, sample::call))
        .register(registry);
  }

  /** How a scrape-time family hands over one sample: its value, then its label values. */
  private interface Sample {
    void call(double value, String... labelValues);
  }

  /** Reads {@code source} now and passes on each of its samples. */
  private static void readEach(
      Supplier<Map<List<String>, ? extends Number>> source, Sample sample) {
    source
        .get()
        .forEach(
            (labels, value) -> sample.call(value.doubleValue(), labels.toArray(String[]::new)));
  }

  public String scrape() {
    ByteArrayOutputStream out = new ByteArrayOutputStream(4096);
    try {
      writer.write(out, registry.scrape());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the metrics into memory", e);
    }
    return out.toString(StandardCharsets.UTF_8);
  }
}
