package dev.tandem.supervisor.admin;

import dev.tandem.supervisor.router.Router;
import java.util.Map;
import java.util.function.IntSupplier;

/**
 * The operator's endpoints: {@code /healthz} (the process is up and answering), {@code /readyz}
 * (it can serve calls now), {@code /metrics} (Prometheus text) and {@code /status} (JSON). Plain
 * data in, plain pages out: a transport serves them without knowing what they say.
 */
public final class AdminEndpoints {

  /** One answer: status, content type, body. */
  public record Page(int status, String contentType, String body) {}

  private static final String TEXT = "text/plain; charset=utf-8";

  private final Router router;
  private final MetricsRegistry metrics;
  private final Map<String, IntSupplier> counts;

  /** @param counts extra numbers for {@code /status}, e.g. open HTTP sessions */
  public AdminEndpoints(Router router, MetricsRegistry metrics, Map<String, IntSupplier> counts) {
    this.router = router;
    this.metrics = metrics;
    this.counts = Map.copyOf(counts);
  }

  /** The page at {@code path}, or null for a path that is not an admin endpoint. */
  public Page get(String path) {
    return switch (path) {
      case "/healthz" -> new Page(200, TEXT, "ok\n");
      case "/readyz" -> {
        Readiness.Verdict v = Readiness.of(router);
        yield new Page(v.ready() ? 200 : 503, TEXT, v.text());
      }
      case "/metrics" -> new Page(200, PrometheusText.CONTENT_TYPE, metrics.scrape());
      case "/status" -> new Page(200, "application/json", StatusReport.of(router, counts).toString() + "\n");
      default -> null;
    };
  }
}
