package dev.tandem.supervisor.pool;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.supervisor.config.PoolConfig;
import dev.tandem.supervisor.config.ServerConfig;
import dev.tandem.supervisor.config.Supervision;
import dev.tandem.supervisor.config.TraceConfig;
import dev.tandem.supervisor.pool.Replica.Role;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;

/**
 * What the rooms of one pool share: its state, guarded by {@link #lock}, and the rooms themselves,
 * so each room reads and moves the state and calls its neighbours through this, never through
 * {@link Pool}, which is only the face the router and the admin endpoints see. The state's
 * invariant: {@code phase} says what the pool is doing, {@code replicas} holds every worker it has
 * not seen exit, and the counters only grow.
 */
final class PoolCore {

  /** How long a worker the pool retires (recycled, or stopped as the pool opens) has to exit. */
  static final Duration RETIRE_GRACE = Duration.ofSeconds(5);

  /** Health checks, backoff and half-open timers: short tasks that never block. */
  static final ScheduledExecutorService TIMERS = timers();

  final PoolConfig config;
  final Supervision limits;
  final RestartPolicy policy;

  /** The configured interpreter until the first worker names the real one. */
  final PythonCommand python;

  /** The face, named to the listener when the offer or a resource changes. */
  private final Pool face;

  volatile Offer offer = Offer.EMPTY;
  volatile Pool.Listener listener = new Pool.Listener() {};

  final Object lock = new Object();
  // Guarded by lock. SERVING stands for SERVING and DEGRADED, which differ only in ready count.
  PoolState phase = PoolState.STARTING;
  boolean accepting = true;
  final List<Replica> replicas = new ArrayList<>();
  final Admission admission;
  final long[] slotRestarts;
  Death lastDeath;
  long restarts;
  long callsServed;

  /** Which load of the code new workers run; a reload that commits adds one. */
  int generation = 1;

  final WorkerEvents events = new WorkerEvents(this);
  final Launching launching;
  final Reloading reloading = new Reloading(this);
  final Dispatch dispatch = new Dispatch(this);
  final Circuit circuit = new Circuit(this);
  final Recycling recycling = new Recycling(this);
  final Slots slots = new Slots(this);

  PoolCore(
      Pool face,
      PoolConfig config,
      ServerConfig server,
      TraceConfig.Traces traces,
      PythonCommand python,
      WorkerFactory workers) {
    this.face = face;
    this.config = config;
    this.limits = config.supervision();
    this.python = python;
    this.policy = new RestartPolicy(limits.maxRestarts(), limits.restartWindow());
    this.slotRestarts = new long[config.replicas()];
    this.admission = new Admission(config.name(), limits);
    this.launching = new Launching(this, workers, server, traces);
  }

  String name() {
    return config.name();
  }

  /** Under the lock. */
  long readyServing() {
    return replicas.stream().filter(r -> r.role == Role.SERVING && r.ready()).count();
  }

  /** The state as others see it: SERVING with a slot not ready is DEGRADED. Under the lock. */
  PoolState state() {
    if (phase != PoolState.SERVING) return phase;
    return readyServing() < config.replicas() ? PoolState.DEGRADED : PoolState.SERVING;
  }

  /** Stops a worker on purpose (stdin closed, then SIGTERM, SIGKILL); its exit is not a death. */
  void retire(Replica r, AfterLock after) {
    r.retiring = true;
    if (r.healthCheck != null) r.healthCheck.cancel(false);
    after.add(() -> r.worker.stop(RETIRE_GRACE));
  }

  /** Tells the router the offer changed, so hosts hear list_changed. Outside the lock. */
  void offerChanged() {
    listener.offerChanged(face);
  }

  void resourceUpdated(ObjectNode params) {
    listener.resourceUpdated(face, params);
  }

  private static ScheduledExecutorService timers() {
    ScheduledThreadPoolExecutor timers =
        new ScheduledThreadPoolExecutor(
            1, Thread.ofPlatform().name("tandem-supervisor").daemon().factory());
    timers.setRemoveOnCancelPolicy(true);
    return timers;
  }
}
