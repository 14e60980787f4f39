package dev.tandem.supervisor.pool;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.protocol.Json;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * What the daemon is doing, as one JSON document: every pool with its state, queue, restarts and
 * counters, and every worker with its pid, role, state, uptime, restarts, calls in flight, calls
 * served and RSS. Served as the MCP request {@code tandem/status} and by the admin endpoint; both
 * call {@link #of} so they cannot drift apart.
 *
 * <pre>
 * {"pools": [{"name": "examples", "state": "serving", "replicas": 2, "spare": 1, "ready": 2,
 *             "inFlight": 0, "queueDepth": 0, "queueLimit": 256, "restarts": 1, ...,
 *             "workers": [{"id": 3, "role": "serving", "slot": 1, "state": "ready", "pid": 4182,
 *                          "uptimeMs": 5120, "restarts": 1, "inFlight": 0, "callsServed": 12,
 *                          "rssBytes": 31457280}, ...]}]}
 * </pre>
 */
public final class StatusReport {

  private static final Instant STARTED =
      ProcessHandle.current().info().startInstant().orElseGet(Instant::now);

  private StatusReport() {}

  public static ObjectNode of(List<Pool> pools) {
    ObjectNode report = Json.object();
    report.put("pid", ProcessHandle.current().pid());
    report.put("uptimeMs", Duration.between(STARTED, Instant.now()).toMillis());
    ArrayNode list = report.putArray("pools");
    for (Pool pool : pools) list.add(pool.status());
    return report;
  }
}
