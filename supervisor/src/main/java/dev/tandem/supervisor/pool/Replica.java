package dev.tandem.supervisor.pool;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.protocol.Json;
import dev.tandem.supervisor.worker.Worker;
import dev.tandem.supervisor.worker.WorkerLink;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;

/**
 * The pool's view of one worker: the role it plays and the load the pool routed to it. The worker
 * link knows the process; the replica knows what the pool asked of it. Fields without {@code
 * volatile} are guarded by the pool's lock.
 */
final class Replica {

  enum Role {
    /** Holds one of the pool's slots and takes calls once ready. */
    SERVING,
    /** Started and kept ready, takes no calls, fills a slot the moment one empties. */
    SPARE,
    /**
     * Being recycled or replaced by a reload: takes no new calls, is stopped once its calls are
     * done.
     */
    DRAINING,
    /**
     * The first worker of a reload, started on the edited code to learn whether it imports: takes
     * no calls and fills no slot until the reload commits (then it is a spare); its failing to
     * start is the reload's error, not a death of the pool.
     */
    PROBE
  }

  final WorkerLink worker;
  Role role;

  /** 1..replicas for a serving worker; 0 for a spare. */
  int slot;

  /** Calls the pool routed here that have not finished. */
  int inFlight;

  long callsServed;

  /**
   * Recycle after this many calls; 0 never. Jittered per worker so replicas do not recycle
   * together.
   */
  final long recycleAfter;

  /**
   * Which load of the code it runs: the pool's generation when it was started; a reload adds one.
   */
  final int generation;

  /** Set when the pool stops it on purpose: its exit is then not a failure. */
  boolean retiring;

  Instant readyAt;
  ScheduledFuture<?> healthCheck;

  /** Completes when it answered initialize (or fails: it did not start). */
  CompletableFuture<? extends WorkerLink> starting;

  volatile long rssBytes;

  /**
   * Trace records the worker could not write (queue full, directory unwritable), from tandem/stats.
   */
  volatile long tracesDropped;

  /**
   * Tool threads still running calls that are over (cancelled, or past their deadline), from
   * tandem/stats: Python cannot stop a thread, so they are load the pool no longer counts in {@link
   * #inFlight}, and since how long the oldest has been so.
   */
  volatile int stuckThreads;

  volatile long stuckForMs;
  volatile long lastPingNanos = -1;
  volatile boolean pingOutstanding;

  Replica(WorkerLink worker, Role role, int slot, long recycleAfter, int generation) {
    this.worker = worker;
    this.role = role;
    this.slot = slot;
    this.recycleAfter = recycleAfter;
    this.generation = generation;
  }

  int id() {
    return worker.spec().index();
  }

  /** What the worker is busy with: its calls, and the threads calls that are over still hold. */
  int load() {
    return inFlight + stuckThreads;
  }

  boolean ready() {
    return worker.state() == Worker.State.READY && readyAt != null && !retiring;
  }

  Duration upFor(Instant now) {
    Instant started = worker.startedAt();
    return started == null ? null : Duration.between(started, now);
  }

  /** This worker's line in {@link StatusReport}. Under the pool's lock. */
  ObjectNode status(Instant now, long restartsOfSlot) {
    ObjectNode w = Json.object();
    w.put("id", id());
    w.put("role", role.name().toLowerCase(Locale.ROOT));
    w.put("slot", slot);
    w.put("generation", generation);
    w.put("state", state());
    w.put("pid", worker.pid());
    Duration up = upFor(now);
    w.put("uptimeMs", up == null ? 0 : up.toMillis());
    w.put("restarts", restartsOfSlot);
    w.put("inFlight", inFlight);
    w.put("callsServed", callsServed);
    w.put("rssBytes", rssBytes);
    if (lastPingNanos >= 0) w.put("lastPingMs", lastPingNanos / 1_000_000.0);
    if (worker.garbageFrames() > 0) w.put("garbageFrames", worker.garbageFrames());
    if (tracesDropped > 0) w.put("tracesDropped", tracesDropped);
    if (stuckThreads > 0) w.put("stuckThreads", stuckThreads);
    return w;
  }

  private String state() {
    return switch (worker.state()) {
      case STARTING -> "starting";
      case READY -> retiring ? (role == Role.DRAINING ? "draining" : "stopping") : "ready";
      case STOPPING -> "stopping";
      case DEAD -> "dead";
    };
  }

  String describe() {
    return "worker " + id() + " (pid " + worker.pid() + ")";
  }
}
