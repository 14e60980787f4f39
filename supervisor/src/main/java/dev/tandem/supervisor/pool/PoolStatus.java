package dev.tandem.supervisor.pool;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.protocol.Json;
import dev.tandem.supervisor.pool.Replica.Role;
import java.time.Instant;
import java.util.List;

/**
 * One pool's part of {@link StatusReport}: its state, counters, reload, why it is open, its last
 * death and every worker. Read under the pool's lock, so the numbers agree with each other.
 */
final class PoolStatus {

  /** Enough of a dead worker's stderr to show the error; the log has the rest. */
  private static final int DEATH_LINES = 5;

  private PoolStatus() {}

  /** Under the pool's lock. */
  static ObjectNode of(PoolCore p) {
    Instant now = Instant.now();
    ObjectNode pool = Json.object();
    pool.put("name", p.name());
    pool.put("state", p.state().label());
    pool.put("replicas", p.config.replicas());
    pool.put("spare", p.limits.spare());
    pool.put("ready", p.readyServing());
    pool.put("tools", p.offer.tools().size());
    pool.put("inFlight", p.replicas.stream().mapToInt(r -> r.inFlight).sum());
    pool.put("queueDepth", p.admission.depth());
    pool.put("queueLimit", p.limits.queue());
    pool.put("maxConcurrency", p.limits.maxConcurrency());
    pool.put("restarts", p.restarts);
    pool.put("callsServed", p.callsServed);
    pool.put("refused", p.admission.refused());
    pool.put("generation", p.generation);
    p.reloading.status(pool);
    p.circuit.status(pool, now);
    Death last = p.lastDeath;
    if (last != null) {
      ObjectNode death = pool.putObject("lastDeath");
      death.put("what", last.description());
      death.put("at", last.at().toString());
      var tail = death.putArray("stderrTail");
      List<String> lines = last.stderrTail();
      lines.subList(Math.max(0, lines.size() - DEATH_LINES), lines.size()).forEach(tail::add);
    }
    var workers = pool.putArray("workers");
    for (Replica r : p.replicas) {
      long restartsOfSlot =
          r.role == Role.SERVING && r.slot >= 1 && r.slot <= p.slotRestarts.length
              ? p.slotRestarts[r.slot - 1]
              : 0;
      workers.add(r.status(now, restartsOfSlot));
    }
    return pool;
  }
}
