package dev.tandem.supervisor.admin;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Histogram;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * What a scraper reads from tandem's registry: the same names, labels and shapes as before the
 * client library.
 */
class MetricsRegistryTest {

  @Test
  void countersAndGaugesWriteHelpTypeAndSamples() {
    MetricsRegistry r = new MetricsRegistry();
    Counter c = r.counter("calls_total", "Calls.", "tool");
    c.labelValues("echo").inc();
    c.labelValues("echo").inc();
    r.gauge("up", "Up.", List.of(), () -> Map.of(List.of(), 1));
    String text = r.scrape();
    assertTrue(
        text.contains(
            "# HELP calls_total Calls.\n# TYPE calls_total counter\ncalls_total{tool=\"echo\"} 2"),
        text);
    assertTrue(text.contains("# HELP up Up.\n# TYPE up gauge\nup 1"), text);
  }

  @Test
  void valuesReadAtScrapeTimeAreCurrent() {
    MetricsRegistry r = new MetricsRegistry();
    AtomicInteger restarts = new AtomicInteger();
    r.counterFrom(
        "tandem_pool_restarts_total",
        "Restarts.",
        List.of("pool"),
        () -> {
          Map<List<String>, Integer> m = new LinkedHashMap<>();
          m.put(List.of("a"), restarts.get());
          return m;
        });
    assertTrue(r.scrape().contains("tandem_pool_restarts_total{pool=\"a\"} 0"), r.scrape());
    restarts.set(3);
    assertTrue(r.scrape().contains("tandem_pool_restarts_total{pool=\"a\"} 3"), r.scrape());
  }

  @Test
  void histogramBucketsAreCumulativeAndEndAtInf() {
    MetricsRegistry r = new MetricsRegistry();
    Histogram h = r.histogram("latency_seconds", "Latency.", new double[] {0.1, 1}, "tool");
    for (double v : new double[] {0.05, 0.1, 0.5, 7}) h.labelValues("t").observe(v);
    String text = r.scrape();
    assertTrue(text.contains("latency_seconds_bucket{tool=\"t\",le=\"0.1\"} 2\n"), text);
    assertTrue(text.contains("latency_seconds_bucket{tool=\"t\",le=\"1.0\"} 3\n"), text);
    assertTrue(text.contains("latency_seconds_bucket{tool=\"t\",le=\"+Inf\"} 4\n"), text);
    assertTrue(text.contains("latency_seconds_count{tool=\"t\"} 4\n"), text);
    assertTrue(text.contains("latency_seconds_sum{tool=\"t\"} 7.65\n"), text);
  }

  @Test
  void labelValuesAreEscapedSoAToolNameCannotBreakTheScrape() {
    MetricsRegistry r = new MetricsRegistry();
    r.counter("x_total", "Help with \\ and\nnewline.", "tool").labelValues("a\"b\\c\nd").inc();
    String text = r.scrape();
    assertTrue(text.contains("# HELP x_total Help with \\\\ and\\nnewline.\n"), text);
    assertTrue(text.contains("x_total{tool=\"a\\\"b\\\\c\\nd\"} 1"), text);
  }

  @Test
  void duplicatesAndReservedLabelsAreRefused() {
    MetricsRegistry r = new MetricsRegistry();
    r.counter("ok_total", "Ok.");
    assertThrows(IllegalArgumentException.class, () -> r.counter("ok_total", "Again."));
    assertThrows(IllegalArgumentException.class, () -> r.counter("x_total", "No.", "__reserved"));
  }
}
