package dev.tandem.supervisor.router;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.protocol.Json;
import dev.tandem.supervisor.pool.Pool;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.function.IntSupplier;

/**
 * What the daemon is doing, as one JSON document: whether it is ready, the daemon's own counts
 * (open HTTP sessions), every pool with its state, queue, restarts and counters, and every worker
 * with its pid, role, state, uptime, restarts, calls in flight, calls served and RSS. The one
 * document behind the MCP request {@code tandem/status}, the admin page {@code /status} and {@code
 * tandem status}: all three call {@link Router#status()}, which calls {@link #of}.
 *
 * <pre>
 * {"pid": 4170, "uptimeMs": 60210, "ready": true, "httpSessions": 2,
 *  "pools": [{"name": "examples", "state": "serving", "replicas": 2, "spare": 1, "ready": 2,
 *             "inFlight": 0, "queueDepth": 0, "queueLimit": 256, "restarts": 1, ...,
 *             "workers": [{"id": 3, "role": "serving", "slot": 1, "state": "ready", "pid": 4182,
 *                          "uptimeMs": 5120, "restarts": 1, "inFlight": 0, "callsServed": 12,
 *                          "rssBytes": 31457280}, ...]}]}
 * </pre>
 */
final class StatusReport {

  private static final Instant STARTED =
      ProcessHandle.current().info().startInstant().orElseGet(Instant::now);

  private StatusReport() {}

  static ObjectNode of(Router router, Map<String, IntSupplier> counts) {
    ObjectNode report = Json.object();
    report.put("pid", ProcessHandle.current().pid());
    report.put("uptimeMs", Duration.between(STARTED, Instant.now()).toMillis());
    report.put("ready", Readiness.of(router).ready());
    counts.forEach((name, count) -> report.put(name, count.getAsInt()));
    ArrayNode list = report.putArray("pools");
    for (Pool pool : router.pools()) list.add(pool.status());
    return report;
  }
}
