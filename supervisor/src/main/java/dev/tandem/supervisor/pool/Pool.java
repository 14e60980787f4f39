package dev.tandem.supervisor.pool;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.protocol.Failures;
import dev.tandem.supervisor.config.PoolConfig;
import dev.tandem.supervisor.config.ServerConfig;
import dev.tandem.supervisor.config.Supervision;
import dev.tandem.supervisor.config.TraceConfig;
import dev.tandem.supervisor.log.Log;
import dev.tandem.supervisor.pool.Replica.Role;
import dev.tandem.supervisor.worker.CallListener;
import dev.tandem.supervisor.worker.ExitStatus;
import dev.tandem.supervisor.worker.Spawner;
import dev.tandem.supervisor.worker.Worker;
import dev.tandem.supervisor.worker.WorkerError;
import dev.tandem.supervisor.worker.WorkerLink;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The supervisor of one {@code [[pool]]}: its workers, the calls routed to them, and the state
 * machine that keeps them serving, written to read top to bottom as OTP's supervisor.erl does.
 *
 * <p><b>Children.</b> Every worker is permanent: a death that the pool did not ask for is replaced.
 * {@code replicas} workers hold the pool's slots and serve; {@code spare} more are started and kept
 * ready, and fill a slot the moment one empties, so failover does not wait for Python to start.
 *
 * <p><b>Events</b>, each a method below, in this order: a worker became ready; a worker could not
 * start; a worker's process exited (planned, or a death); a worker missed a ping; its stats
 * arrived; a call finished; a reload was asked for (then: its probe is ready, or failed). Each
 * changes the state, then {@link Slots#reconcile} starts or promotes workers until the pool has
 * what its state asks for, {@link Dispatch#pump} hands queued calls to workers with room, and
 * {@link Reloading#roll} replaces one more old worker if a reload is under way.
 *
 * <p><b>Rooms.</b> The pool's state lives here, under its lock; jobs that read and move it live
 * beside it in this package: {@link FirstStart} (the first start and its error), {@link Dispatch}
 * (admission, queue, cancel), {@link Circuit} (open, half-open, closed), {@link Reloading}, {@link
 * PoolStatus}, {@link Slots} (slots and spares), {@link Recycling} (replacing live workers).
 * Workers come from a {@link WorkerFactory}, so this machine runs against fakes in {@code
 * PoolTest}.
 *
 * <p><b>Reload</b> ({@link #reload}): workers carry the generation of the code they were started
 * on. A probe proves the new code starts before anything changes; then the generation moves on, and
 * old workers drain one at a time as new ones become ready, as recycling does.
 *
 * <p><b>Restart policy</b> ({@link RestartPolicy}): a replacement waits an exponential backoff with
 * jitter; more than {@code max_restarts} deaths in {@code restart_window} open the pool: calls fail
 * at once with the cause, every worker is stopped, and after {@code half_open_after} one worker is
 * tried with one call at a time ({@link Circuit}). An answered call (or that worker surviving a
 * whole window) closes the pool again. The daemon never exits because a worker did.
 *
 * <p><b>Concurrency.</b> State is guarded by one lock, held only for bookkeeping: anything that
 * writes to a worker's pipe or completes a caller's future runs after the lock is released ({@link
 * AfterLock}, which refuses to run under it), because a worker that stopped reading can block a
 * write, and a caller's continuation may come straight back with another call.
 */
public final class Pool {

  /** How long a worker the pool retires (recycled, or stopped as the pool opens) has to exit. */
  static final Duration RETIRE_GRACE = Duration.ofSeconds(5);

  /**
   * max_calls is stretched by up to this fraction per worker (gunicorn's max_requests_jitter), so
   * replicas started together are not recycled together.
   */
  static final double RECYCLE_JITTER = 0.1;

  /** The least a spare that took a dead worker's place waits to be replaced by a new one. */
  static final Duration SPARE_REFILL_DELAY = Duration.ofMillis(100);

  /** Health checks, backoff and half-open timers: short tasks that never block. */
  static final ScheduledExecutorService TIMERS = timers();

  final PoolConfig config;
  final Supervision limits;
  private final ServerConfig server;
  private final TraceConfig.Traces traces;

  /** The configured interpreter until the first worker names the real one. */
  private final PythonCommand python;

  private final WorkerFactory workers;
  final RestartPolicy policy;
  private volatile Offer offer = Offer.EMPTY;
  private volatile Listener listener = new Listener() {};

  final Object lock = new Object();
  // Guarded by lock. SERVING stands for SERVING and DEGRADED, which differ only in ready count.
  PoolState phase = PoolState.STARTING;
  boolean accepting = true;
  final List<Replica> replicas = new ArrayList<>();
  final Admission admission;
  final long[] slotRestarts;
  private int nextId = 1;
  Death lastDeath;
  long restarts;
  long callsServed;

  /** Which load of the code new workers run; a reload that commits adds one. */
  int generation = 1;

  final Reloading reloading = new Reloading(this);
  final Dispatch dispatch = new Dispatch(this);
  final Circuit circuit = new Circuit(this);
  final Recycling recycling = new Recycling(this);
  final Slots slots = new Slots(this);

  public Pool(
      PoolConfig config,
      ServerConfig server,
      TraceConfig.Traces traces,
      PythonCommand python,
      Spawner spawner,
      String version) {
    this(config, server, traces, python, WorkerFactory.spawning(spawner, version));
  }

  /** A pool whose workers come from {@code workers}: real processes, or a test's fakes. */
  public Pool(
      PoolConfig config,
      ServerConfig server,
      TraceConfig.Traces traces,
      PythonCommand python,
      WorkerFactory workers) {
    this.config = config;
    this.limits = config.supervision();
    this.server = server;
    this.traces = traces;
    this.python = python;
    this.workers = workers;
    this.policy = new RestartPolicy(limits.maxRestarts(), limits.restartWindow());
    this.slotRestarts = new long[config.replicas()];
    this.admission = new Admission(config.name(), limits);
  }

  public String name() {
    return config.name();
  }

  // ---------------------------------------------------------------------------------- start

  /** See {@link FirstStart}: every replica at once; the pool serves when all are ready. */
  public CompletableFuture<Void> start() {
    return FirstStart.of(this, python);
  }

  /** The first start is over: serve, and start the spares. */
  void serving(Offer first) {
    offer = first;
    AfterLock after = new AfterLock(lock);
    synchronized (lock) {
      if (phase == PoolState.STARTING) {
        phase = PoolState.SERVING;
        slots.reconcile(after);
      }
    }
    after.run();
  }

  /** Told what the router must pass on to host sessions: the offer changed, a resource changed. */
  public interface Listener {
    default void offerChanged(Pool pool) {}

    default void resourceUpdated(Pool pool, ObjectNode params) {}
  }

  public void listen(Listener listener) {
    this.listener = listener;
  }

  /** What a worker says that concerns the whole pool. */
  private final WorkerLink.Events events =
      new WorkerLink.Events() {
        @Override
        public void exited(WorkerLink worker, ExitStatus status) {
          Pool.this.exited(worker, status);
        }

        @Override
        public void listChanged(WorkerLink worker, String notification) {
          // Every replica of the current code serves the same modules, so one worker's new lists
          // are
          // the pool's; a worker on code a reload is replacing no longer speaks for the pool.
          synchronized (lock) {
            if (replicas.stream().anyMatch(r -> r.worker == worker && r.generation != generation))
              return;
          }
          OfferListing.of(worker)
              .whenComplete(
                  (o, failure) -> {
                    if (failure != null) {
                      Log.warn(
                          "pool="
                              + name()
                              + " could not refresh its lists after "
                              + notification
                              + ": "
                              + Failures.cause(failure).getMessage());
                      return;
                    }
                    offer = o;
                    listener.offerChanged(Pool.this);
                  });
        }

        @Override
        public void resourceUpdated(WorkerLink worker, ObjectNode params) {
          listener.resourceUpdated(Pool.this, params);
        }
      };

  /**
   * Starts a worker in a role, on the code as it is on disk now; its readiness and its end come
   * back as events. Under the lock.
   */
  Replica launch(Role role, int slot, int ofGeneration) {
    int id = nextId++;
    long maxCalls = limits.maxCalls();
    long recycleAfter =
        maxCalls == 0
            ? 0
            : maxCalls
                + (long) (maxCalls * RECYCLE_JITTER * ThreadLocalRandom.current().nextDouble());
    WorkerLink worker =
        workers.create(
            WorkerCommand.spec(
                config, server, traces, config.isPython() ? python.executable() : null, id),
            events);
    Replica r = new Replica(worker, role, slot, recycleAfter, ofGeneration);
    replicas.add(r);
    r.starting = worker.start().orTimeout(limits.startTimeout().toMillis(), TimeUnit.MILLISECONDS);
    r.starting.whenComplete(
        (w, failure) -> {
          if (failure == null) ready(r);
          else startFailed(r, Failures.cause(failure));
        });
    return r;
  }

  Replica launch(Role role, int slot) {
    return launch(role, slot, generation);
  }

  // --------------------------------------------------------------------------------- events

  /**
   * A worker answered initialize: readiness. Only now may it take calls, and its health is checked.
   */
  private void ready(Replica r) {
    if (config.isPython()) python.learnFrom(r.worker.initializeResult());
    AfterLock after = new AfterLock(lock);
    synchronized (lock) {
      // An open pool keeps no workers, but a reload's probe may be what closes it.
      if (r.retiring
          || phase == PoolState.STOPPING
          || (phase == PoolState.OPEN && r.role != Role.PROBE)) {
        retire(r, after);
      } else {
        r.readyAt = Instant.now();
        r.healthCheck =
            HealthCheck.start(this, r, limits.pingInterval(), limits.pingTimeout(), TIMERS);
        if (phase == PoolState.HALF_OPEN && r.role != Role.PROBE) circuit.trying(r);
        if (r.role == Role.PROBE) after.add(() -> reloading.probeReady(r));
        slots.reconcile(after);
        dispatch.pump(after);
        reloading.roll(after);
      }
    }
    after.run();
  }

  /**
   * A worker did not become ready. If its process is running (it timed out, or answered initialize
   * with an error), kill it: its exit is then the death. If it never had a process, there will be
   * no exit, so this is the death.
   */
  private void startFailed(Replica r, Throwable cause) {
    AfterLock after = new AfterLock(lock);
    synchronized (lock) {
      if (r.worker.pid() < 0) {
        if (!replicas.remove(r)) {
          // already gone
        } else if (r.role == Role.PROBE) {
          reloading.probeFailed(
              r, "could not be started: " + cause.getMessage(), null, List.of(), after);
        } else if (r.retiring || phase == PoolState.STOPPING) {
          // As when a process exits (exited): a spawn that fails while the pool stops, or for a
          // worker it no longer wanted, is no death, and must not start a replacement or reopen it.
          slots.reconcile(after);
          dispatch.pump(after);
        } else {
          died(r, r.describe() + " could not be started: " + cause.getMessage(), List.of(), after);
        }
      } else if (r.worker.state() != Worker.State.DEAD && !r.retiring) {
        String why =
            cause instanceof TimeoutException
                ? "it did not answer initialize within "
                    + limits.startTimeout().toMillis()
                    + " ms (start_timeout_ms)"
                : "its initialize failed: " + cause.getMessage();
        r.worker.kill(why);
      }
    }
    after.run();
  }

  /** A worker's process ended. If the pool retired it, that was the plan; otherwise it died. */
  private void exited(WorkerLink worker, ExitStatus status) {
    AfterLock after = new AfterLock(lock);
    synchronized (lock) {
      Replica r = replicas.stream().filter(x -> x.worker == worker).findFirst().orElse(null);
      if (r == null) return;
      replicas.remove(r);
      if (r.healthCheck != null) r.healthCheck.cancel(false);
      if (r.role == Role.PROBE) {
        reloading.probeFailed(r, worker.exitReason(status), status, worker.stderrTail(), after);
      } else if (r.retiring || phase == PoolState.STOPPING) {
        slots.reconcile(after);
        dispatch.pump(after);
      } else {
        died(r, r.describe() + " " + worker.exitReason(status), worker.stderrTail(), after);
      }
    }
    after.run();
  }

  /**
   * An unplanned end: count it; open the pool if deaths come too often, else replace the worker.
   */
  private void died(Replica r, String description, List<String> stderrTail, AfterLock after) {
    Instant now = Instant.now();
    lastDeath = new Death(description, now, stderrTail);
    restarts++;
    if (r.role == Role.SERVING && r.slot >= 1 && r.slot <= slotRestarts.length)
      slotRestarts[r.slot - 1]++;
    if (phase == PoolState.STARTING) return; // start() fails with the cause; nothing is restarted
    boolean tooOften = policy.recordDeath(now, r.upFor(now));
    if (phase == PoolState.HALF_OPEN) {
      circuit.open("its probe worker died: " + description, after);
    } else if (tooOften) {
      circuit.open(
          "its workers died "
              + policy.recentDeaths()
              + " times in "
              + policy.window().toSeconds()
              + " s (more than max_restarts = "
              + policy.maxRestarts()
              + "); the last: "
              + description,
          after);
    } else {
      boolean spareReady = r.role == Role.SERVING && slots.readySpare() != null;
      Duration backoff = policy.backoff();
      // With a spare taking the slot the pool is whole at once; the new spare's Python start
      // (a core's worth of CPU for ~150 ms) would only slow the calls being retried on it.
      if (spareReady && backoff.compareTo(SPARE_REFILL_DELAY) < 0) backoff = SPARE_REFILL_DELAY;
      slots.nextStartAt = now.plus(backoff);
      Log.warn(
          "pool="
              + name()
              + " "
              + description
              + "; "
              + (spareReady ? "a spare takes its place now, " : "")
              + (backoff.isZero()
                  ? "a new worker starts now"
                  : "a new worker starts in " + backoff.toMillis() + " ms"));
      slots.reconcile(after);
      dispatch.pump(after);
    }
  }

  /**
   * A call ended on a worker: free its place, close a half-open pool, recycle, hand on the queue.
   */
  void finished(PoolCall call, Replica r, JsonNode answer, Throwable failure) {
    Throwable cause = failure == null ? null : Failures.cause(failure);
    AfterLock after = new AfterLock(lock);
    synchronized (lock) {
      r.inFlight--;
      boolean answered = cause == null || cause instanceof WorkerError;
      if (answered) {
        r.callsServed++;
        callsServed++;
      }
      if (answered && phase == PoolState.HALF_OPEN) {
        circuit.close("a call on its probe worker was answered", after);
      } else if (answered && r.recycleAfter > 0 && r.callsServed >= r.recycleAfter) {
        recycling.recycle(
            r,
            "it served " + r.callsServed + " calls (max_calls = " + limits.maxCalls() + ")",
            after);
      }
      if (r.role == Role.DRAINING && r.inFlight == 0) retire(r, after);
      dispatch.pump(after);
    }
    after.run();
    if (cause == null) call.result.complete(answer);
    else if (cause instanceof CancellationException) call.result.cancel(false);
    else call.result.completeExceptionally(cause);
  }

  // ----------------------------------------------------------------------------- transitions

  /** Stops a worker on purpose (stdin closed, then SIGTERM, SIGKILL); its exit is not a death. */
  void retire(Replica r, AfterLock after) {
    r.retiring = true;
    if (r.healthCheck != null) r.healthCheck.cancel(false);
    after.add(() -> r.worker.stop(RETIRE_GRACE));
  }

  /** See {@link Reloading#reload}: a probe on the new code first, then one worker at a time. */
  public CompletableFuture<Reloaded> reload() {
    return reloading.reload();
  }

  /**
   * Sends a request where {@link Admission} says: a worker with room, the bounded queue, or an
   * immediate refusal. Never throws: refusals complete the call with {@link PoolUnavailable}.
   */
  public PoolCall submit(String method, ObjectNode params, CallListener callListener) {
    return dispatch.submit(method, params, callListener);
  }

  // ------------------------------------------------------------------------------- shutdown

  /**
   * Shutdown ran out of grace: every call this pool holds, queued or running, is answered now with
   * {@code why} and cancelled on its worker, so no caller is left unanswered when sessions close.
   */
  public void abandonCalls(String why) {
    PoolUnavailable error = new PoolUnavailable(why);
    AfterLock after = new AfterLock(lock);
    List<WorkerLink> holding;
    synchronized (lock) {
      accepting = false;
      dispatch.failQueue(error, after);
      holding = replicas.stream().map(r -> r.worker).toList();
    }
    after.run();
    for (WorkerLink w : holding) w.abandonCalls(error);
  }

  /** Stops every worker (stdin closed, then SIGTERM, then SIGKILL) and waits for them. */
  public CompletableFuture<Void> shutdown(Duration grace) {
    AfterLock after = new AfterLock(lock);
    List<WorkerLink> stopping;
    synchronized (lock) {
      reloading.interrupt("tandem is shutting down", after);
      phase = PoolState.STOPPING;
      accepting = false;
      dispatch.failQueue(
          new PoolUnavailable("pool \"" + name() + "\" is shutting down and takes no new calls"),
          after);
      stopping = replicas.stream().map(r -> r.worker).toList();
      for (Replica r : replicas) {
        r.retiring = true;
        if (r.healthCheck != null) r.healthCheck.cancel(false);
      }
    }
    after.run();
    return CompletableFuture.allOf(
        stopping.stream().map(w -> w.stop(grace)).toArray(CompletableFuture[]::new));
  }

  // --------------------------------------------------------------------- what others read

  public Offer offer() {
    return offer;
  }

  /** What the pool serves from now on. */
  void offered(Offer next) {
    offer = next;
  }

  /** Tells the router the offer changed, so hosts hear list_changed. Outside the lock. */
  void offerChanged() {
    listener.offerChanged(this);
  }

  /** Where a Python pool's code lives (its {@code path}); none for a {@code command} pool. */
  public List<java.nio.file.Path> sourceDirectories() {
    return config.isPython() ? config.path() : List.of();
  }

  public List<JsonNode> tools() {
    return offer.tools();
  }

  public Duration callTimeout() {
    return limits.callTimeout();
  }

  public PoolState state() {
    synchronized (lock) {
      if (phase != PoolState.SERVING) return phase;
      return readyServing() < config.replicas() ? PoolState.DEGRADED : PoolState.SERVING;
    }
  }

  long readyServing() {
    return replicas.stream().filter(r -> r.role == Role.SERVING && r.ready()).count();
  }

  /** Workers alive now, in every role. */
  public List<WorkerLink> workers() {
    synchronized (lock) {
      return replicas.stream().map(r -> r.worker).toList();
    }
  }

  public int readyWorkers() {
    synchronized (lock) {
      return (int) readyServing();
    }
  }

  public int inFlight() {
    synchronized (lock) {
      return replicas.stream().mapToInt(r -> r.inFlight).sum();
    }
  }

  public int queueDepth() {
    synchronized (lock) {
      return admission.depth();
    }
  }

  /** Unplanned worker deaths since start, each followed by a replacement (or the pool opening). */
  public long restarts() {
    synchronized (lock) {
      return restarts;
    }
  }

  public long callsServed() {
    synchronized (lock) {
      return callsServed;
    }
  }

  /** Calls refused as overloaded since start. */
  public long refused() {
    synchronized (lock) {
      return admission.refused();
    }
  }

  /** This pool's part of {@link StatusReport}: its state, counters and every worker. */
  public ObjectNode status() {
    synchronized (lock) {
      return PoolStatus.of(this);
    }
  }

  private static ScheduledExecutorService timers() {
    ScheduledThreadPoolExecutor timers =
        new ScheduledThreadPoolExecutor(
            1,
            r -> {
              Thread t = new Thread(r, "tandem-supervisor");
              t.setDaemon(true);
              return t;
            });
    timers.setRemoveOnCancelPolicy(true);
    return timers;
  }
}
