package dev.tandem.supervisor.admin;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.protocol.Json;
import dev.tandem.supervisor.pool.Pool;
import dev.tandem.supervisor.router.Router;
import dev.tandem.supervisor.worker.Worker;
import java.util.Map;
import java.util.function.IntSupplier;

/**
 * {@code /status}: what the daemon is doing right now, as JSON: every pool and its workers (pid,
 * state, calls in flight and served). A snapshot for people and scripts; {@code /metrics} is the
 * one to graph.
 */
final class StatusReport {

  private StatusReport() {}

  static ObjectNode of(Router router, Map<String, IntSupplier> counts) {
    ObjectNode out = Json.object();
    out.put("ready", Readiness.of(router).ready());
    counts.forEach((k, v) -> out.put(k, v.getAsInt()));
    ArrayNode pools = out.putArray("pools");
    for (Pool p : router.pools()) {
      ObjectNode pool = pools.addObject();
      pool.put("name", p.name());
      pool.put("tools", p.tools().size());
      pool.put("inFlight", p.inFlight());
      ArrayNode workers = pool.putArray("workers");
      for (Worker w : p.workers()) {
        ObjectNode worker = workers.addObject();
        worker.put("index", w.spec().index());
        worker.put("pid", w.pid());
        worker.put("state", w.state().name().toLowerCase());
        worker.put("inFlight", w.inFlight());
        worker.put("callsServed", w.callsServed());
        if (w.startedAt() != null) worker.put("startedAt", w.startedAt().toString());
      }
    }
    return out;
  }
}
