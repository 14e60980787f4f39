package dev.tandem.supervisor.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.protocol.Json;
import dev.tandem.supervisor.router.Readiness;
import dev.tandem.supervisor.router.Router;
import dev.tandem.supervisor.transport.http.SideEndpoints;
import java.util.function.Supplier;

/**
 * The operator's endpoints: {@code /healthz} (the process is up and answering), {@code /readyz} (it
 * can serve calls now), {@code /metrics} (Prometheus text) and {@code /status} (the status document
 * that {@code tandem/status} and {@code tandem status} show too), {@code /tasks} (the latest 100
 * tasks, without their payloads). Plain data in, plain pages out: the HTTP transport serves them as
 * {@link SideEndpoints} without knowing what they say.
 *
 * <p>Once shutdown begins, {@code /readyz} answers 503 for good ({@link #draining}) while calls are
 * still served: that is how a load balancer learns to send new work elsewhere before the listener
 * closes.
 */
public final class AdminEndpoints implements SideEndpoints {

  private static final String TEXT = "text/plain; charset=utf-8";

  private final Router router;
  private final MetricsRegistry metrics;
  private volatile boolean draining;

  /** The {@code /tasks} page: the tasks held, newest first, as operators may see them. */
  private volatile Supplier<JsonNode> tasks =
      () -> {
        ObjectNode none = Json.object();
        none.putArray("tasks");
        return none;
      };

  public AdminEndpoints listTasks(Supplier<JsonNode> page) {
    this.tasks = page;
    return this;
  }

  public AdminEndpoints(Router router, MetricsRegistry metrics) {
    this.router = router;
    this.metrics = metrics;
  }

  /** Shutdown has begun: {@code /readyz} says 503 from now on. */
  public void draining() {
    draining = true;
  }

  @Override
  public Reply get(String path) {
    return switch (path) {
      case "/healthz" -> new Reply(200, TEXT, "ok\n");
      case "/readyz" -> {
        if (draining) {
          yield new Reply(
              503,
              TEXT,
              "not ready: shutting down; calls in flight and open streams are still served\n");
        }
        Readiness.Verdict v = Readiness.of(router);
        yield new Reply(v.ready() ? 200 : 503, TEXT, v.text());
      }
      case "/metrics" -> new Reply(200, MetricsRegistry.CONTENT_TYPE, metrics.scrape());
      case "/status" -> new Reply(200, "application/json", router.status().toString() + "\n");
      case "/tasks" -> new Reply(200, "application/json", tasks.get().toString() + "\n");
      default -> null;
    };
  }
}
