package dev.tandem.supervisor.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MetricsRegistryTest {

  @Test
  void countersAndGaugesWriteHelpTypeAndSamples() {
    MetricsRegistry r = new MetricsRegistry();
    Counter c = r.counter("calls_total", "Calls.", "tool");
    c.inc("echo");
    c.inc("echo");
    r.gauge("up", "Up.", List.of(), () -> Map.of(List.of(), 1));
    assertEquals("""
        # HELP calls_total Calls.
        # TYPE calls_total counter
        calls_total{tool="echo"} 2
        # HELP up Up.
        # TYPE up gauge
        up 1
        """, r.scrape());
  }

  @Test
  void histogramBucketsAreCumulativeAndEndAtInf() {
    MetricsRegistry r = new MetricsRegistry();
    Histogram h = r.histogram("latency_seconds", "Latency.", new double[] {0.1, 1}, "tool");
    h.observe(0.05, "t");
    h.observe(0.1, "t");
    h.observe(0.5, "t");
    h.observe(7, "t");
    String text = r.scrape();
    assertTrue(text.contains("latency_seconds_bucket{tool=\"t\",le=\"0.1\"} 2\n"), text);
    assertTrue(text.contains("latency_seconds_bucket{tool=\"t\",le=\"1\"} 3\n"), text);
    assertTrue(text.contains("latency_seconds_bucket{tool=\"t\",le=\"+Inf\"} 4\n"), text);
    assertTrue(text.contains("latency_seconds_sum{tool=\"t\"} 7.65\n"), text);
    assertTrue(text.contains("latency_seconds_count{tool=\"t\"} 4\n"), text);
  }

  @Test
  void labelValuesAreEscapedSoAToolNameCannotBreakTheScrape() {
    MetricsRegistry r = new MetricsRegistry();
    r.counter("x_total", "Help with \\ and\nnewline.", "tool").inc("a\"b\\c\nd");
    String text = r.scrape();
    assertTrue(text.contains("# HELP x_total Help with \\\\ and\\nnewline.\n"), text);
    assertTrue(text.contains("x_total{tool=\"a\\\"b\\\\c\\nd\"} 1\n"), text);
  }

  @Test
  void badNamesAndDuplicatesAreRefused() {
    MetricsRegistry r = new MetricsRegistry();
    r.counter("ok_total", "Ok.");
    assertThrows(IllegalArgumentException.class, () -> r.counter("ok_total", "Again."));
    assertThrows(IllegalArgumentException.class, () -> r.counter("bad-name", "No."));
    assertThrows(IllegalArgumentException.class, () -> r.counter("x_total", "No.", "__reserved"));
  }
}
