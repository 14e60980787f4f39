package dev.tandem.supervisor.admin;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tandem.supervisor.router.CallObserver;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Histogram;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Predicate;

/**
 * Per-tool call metrics from the router's {@link CallObserver} hook. A call is counted when it
 * ends, under the tool's name if the catalog serves it and {@value #UNKNOWN} otherwise: a client
 * can send any name, and one label value per typo would grow the scrape without bound.
 */
public final class CallMetrics implements CallObserver {

  static final String UNKNOWN = "(unknown)";

  /** Seconds; from a 5 ms tool to a 2-minute model call. */
  static final double[] LATENCY_BUCKETS = {
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120
  };

  private final Predicate<String> served;
  private final Counter calls;
  private final Counter errors;
  private final Counter cancelled;
  private final Histogram latency;
  private final LongAdder inFlight = new LongAdder();

  /**
   * @param served whether a tool name is in the catalog
   */
  public CallMetrics(MetricsRegistry registry, Predicate<String> served) {
    this.served = served;
    calls =
        registry.counter(
            "tandem_tool_calls_total", "tools/call requests answered, by tool.", "tool");
    errors =
        registry.counter(
            "tandem_tool_errors_total",
            "tools/call answers that were errors, by tool and kind: tool_error (an isError result the model reads) or rpc_error (a JSON-RPC error).",
            "tool",
            "kind");
    cancelled =
        registry.counter(
            "tandem_tool_cancelled_total",
            "tools/call requests cancelled before they answered, by tool.",
            "tool");
    latency =
        registry.histogram(
            "tandem_tool_call_duration_seconds",
            "Time from a tools/call reaching the router to its answer, by tool.",
            LATENCY_BUCKETS,
            "tool");
    registry.gauge(
        "tandem_tool_calls_in_flight",
        "tools/call requests accepted and not yet answered, across all sessions.",
        List.of(),
        () -> Map.of(List.of(), inFlight.sum()));
  }

  @Override
  public void started(String tool) {
    inFlight.increment();
  }

  @Override
  public void finished(String tool, JsonNode result, Throwable failure, long nanos) {
    inFlight.decrement();
    String label = served.test(tool) ? tool : UNKNOWN;
    latency.labelValues(label).observe(nanos / 1e9);
    if (failure instanceof CancellationException) {
      cancelled.labelValues(label).inc();
      return;
    }
    calls.labelValues(label).inc();
    if (failure != null) {
      errors.labelValues(label, "rpc_error").inc();
    } else if (result != null && result.path("isError").asBoolean(false)) {
      errors.labelValues(label, "tool_error").inc();
    }
  }
}
