package dev.tandem.supervisor.pool;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.protocol.Json;
import dev.tandem.supervisor.config.PoolConfig;
import dev.tandem.supervisor.config.ServerConfig;
import dev.tandem.supervisor.config.Supervision;
import dev.tandem.supervisor.log.Log;
import dev.tandem.supervisor.pool.Replica.Role;
import dev.tandem.supervisor.worker.ExitStatus;
import dev.tandem.supervisor.worker.Spawner;
import dev.tandem.supervisor.worker.CallListener;
import dev.tandem.supervisor.worker.Worker;
import dev.tandem.supervisor.worker.WorkerCall;
import dev.tandem.supervisor.worker.WorkerDied;
import dev.tandem.supervisor.worker.WorkerError;
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
 * arrived; a call finished. Each changes the state, then {@link #reconcile} starts or promotes
 * workers until the pool has what its state asks for, and {@link #pump} hands queued calls to
 * workers with room.
 *
 * <p><b>Restart policy</b> ({@link RestartPolicy}): a replacement waits an exponential backoff with
 * jitter; more than {@code max_restarts} deaths in {@code restart_window} open the pool: calls fail
 * at once with the cause, every worker is stopped, and after {@code half_open_after} one worker is
 * tried with one call at a time. An answered call (or that worker surviving a whole window)
 * closes the pool again. The daemon never exits because a worker did.
 *
 * <p><b>Concurrency.</b> State is guarded by one lock, held only for bookkeeping: anything that
 * writes to a worker's pipe or completes a caller's future runs after the lock is released (the
 * {@code after} lists), because a worker that stopped reading can block a write, and a caller's
 * continuation may come straight back with another call.
 */
public final class Pool {

  /** How long a worker the pool retires (recycled, or stopped as the pool opens) has to exit. */
  static final Duration RETIRE_GRACE = Duration.ofSeconds(5);

  /**
   * max_calls is stretched by up to this fraction per worker (gunicorn's max_requests_jitter), so
   * replicas started together are not recycled together.
   */
  static final double RECYCLE_JITTER = 0.1;

  /** Health checks, backoff and half-open timers: short tasks that never block. */
  private static final ScheduledExecutorService TIMERS = timers();

  private final PoolConfig config;
  private final Supervision limits;
  private final ServerConfig server;
  private final PythonRuntime python;
  private final Spawner spawner;
  private final String version;
  private final RestartPolicy policy;
  private volatile Offer offer = Offer.EMPTY;
  private volatile Listener listener = new Listener() {};

  private final Object lock = new Object();
  // Guarded by lock. SERVING stands for SERVING and DEGRADED, which differ only in ready count.
  private PoolState phase = PoolState.STARTING;
  private boolean accepting = true;
  private final List<Replica> replicas = new ArrayList<>();
  private final Admission admission;
  private final long[] slotRestarts;
  private int nextId = 1;
  private Instant nextStartAt = Instant.EPOCH;
  private boolean reconcileScheduled;
  private Death lastDeath;
  private String openedBecause;
  private Instant halfOpenAt;
  private long restarts;
  private long callsServed;

  public Pool(PoolConfig config, ServerConfig server, PythonRuntime python, Spawner spawner, String version) {
    this.config = config;
    this.limits = config.supervision();
    this.server = server;
    this.python = python;
    this.spawner = spawner;
    this.version = version;
    this.policy = new RestartPolicy(limits.maxRestarts(), limits.restartWindow());
    this.slotRestarts = new long[config.replicas()];
    this.admission = new Admission(config.name(), limits);
  }

  public String name() {
    return config.name();
  }

  // ---------------------------------------------------------------------------------- start

  /**
   * Starts every replica at once and completes when all are ready and the tools are known, or
   * fails with the first worker that could not start (with its stderr, which holds the traceback):
   * a pool that cannot start at all is a configuration error, not something to retry. Spares
   * start once the pool serves, so they do not slow the first start.
   */
  public CompletableFuture<Void> start() {
    List<CompletableFuture<Worker>> starting = new ArrayList<>();
    synchronized (lock) {
      for (int slot = 1; slot <= config.replicas(); slot++) starting.add(launch(Role.SERVING, slot));
    }
    return CompletableFuture.allOf(starting.toArray(CompletableFuture[]::new))
        .exceptionally(failure -> {
          Throwable cause = unwrap(failure);
          List<String> tail = cause instanceof WorkerDied d ? d.stderrTail() : List.of();
          String why =
              cause instanceof WorkerDied d && d.status().code() == ExitStatus.IMPORT_FAILED
                  ? "its Python modules " + config.modules() + " failed to import (" + cause.getMessage() + ")"
                  : cause instanceof TimeoutException
                      ? "a worker did not answer initialize within " + limits.startTimeout().toMillis() + " ms (start_timeout_ms)"
                      : cause.getMessage();
          throw new PoolStartFailed("pool \"" + name() + "\" could not start: " + why, tail, cause);
        })
        .thenCompose(ignored -> OfferListing.of(starting.get(0).join()))
        .thenAccept(o -> {
          offer = o;
          List<Runnable> after = new ArrayList<>();
          synchronized (lock) {
            if (phase == PoolState.STARTING) {
              phase = PoolState.SERVING;
              reconcile(after);
            }
          }
          perform(after);
          Log.info("pool=" + name() + " ready: " + config.replicas() + " worker(s)"
              + (limits.spare() > 0 ? " and " + limits.spare() + " spare(s) starting" : "") + ", " + o.tools().size() + " tool(s), "
              + o.prompts().size() + " prompt(s), " + (o.resources().size() + o.resourceTemplates().size()) + " resource(s)");
        });
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
  private final Worker.Events events = new Worker.Events() {
    @Override
    public void exited(Worker worker, ExitStatus status) {
      Pool.this.exited(worker, status);
    }

    @Override
    public void listChanged(Worker worker, String notification) {
      // Every replica serves the same modules, so one worker's new lists are the pool's.
      OfferListing.of(worker).whenComplete((o, failure) -> {
        if (failure != null) {
          Log.warn("pool=" + name() + " could not refresh its lists after " + notification + ": " + unwrap(failure).getMessage());
          return;
        }
        offer = o;
        listener.offerChanged(Pool.this);
      });
    }

    @Override
    public void resourceUpdated(Worker worker, ObjectNode params) {
      listener.resourceUpdated(Pool.this, params);
    }
  };

  /** Starts a worker in a role; its readiness and its end come back as events. Under the lock. */
  private CompletableFuture<Worker> launch(Role role, int slot) {
    int id = nextId++;
    long maxCalls = limits.maxCalls();
    long recycleAfter =
        maxCalls == 0 ? 0 : maxCalls + (long) (maxCalls * RECYCLE_JITTER * ThreadLocalRandom.current().nextDouble());
    Worker worker = new Worker(WorkerCommand.spec(config, server, python, id), events);
    Replica r = new Replica(worker, role, slot, recycleAfter);
    replicas.add(r);
    CompletableFuture<Worker> ready =
        worker.start(spawner, version).orTimeout(limits.startTimeout().toMillis(), TimeUnit.MILLISECONDS);
    ready.whenComplete((w, failure) -> {
      if (failure == null) ready(r);
      else startFailed(r, unwrap(failure));
    });
    return ready;
  }

  // --------------------------------------------------------------------------------- events

  /** A worker answered initialize: readiness. Only now may it take calls, and its health is checked. */
  private void ready(Replica r) {
    List<Runnable> after = new ArrayList<>();
    synchronized (lock) {
      if (r.retiring || phase == PoolState.STOPPING || phase == PoolState.OPEN) {
        retire(r, after);
      } else {
        r.readyAt = Instant.now();
        r.healthCheck = HealthCheck.start(this, r, limits.pingInterval(), limits.pingTimeout(), TIMERS);
        if (phase == PoolState.HALF_OPEN) {
          TIMERS.schedule(() -> probeSurvived(r), limits.restartWindow().toMillis(), TimeUnit.MILLISECONDS);
        }
        reconcile(after);
        pump(after);
      }
    }
    perform(after);
  }

  /**
   * A worker did not become ready. If its process is running (it timed out, or answered
   * initialize with an error), kill it: its exit is then the death. If it never had a process,
   * there will be no exit, so this is the death.
   */
  private void startFailed(Replica r, Throwable cause) {
    List<Runnable> after = new ArrayList<>();
    synchronized (lock) {
      if (r.worker.pid() < 0) {
        if (replicas.remove(r)) died(r, r.describe() + " could not be started: " + cause.getMessage(), List.of(), after);
      } else if (r.worker.state() != Worker.State.DEAD && !r.retiring) {
        String why = cause instanceof TimeoutException
            ? "it did not answer initialize within " + limits.startTimeout().toMillis() + " ms (start_timeout_ms)"
            : "its initialize failed: " + cause.getMessage();
        r.worker.kill(why);
      }
    }
    perform(after);
  }

  /** A worker's process ended. If the pool retired it, that was the plan; otherwise it died. */
  private void exited(Worker worker, ExitStatus status) {
    List<Runnable> after = new ArrayList<>();
    synchronized (lock) {
      Replica r = replicas.stream().filter(x -> x.worker == worker).findFirst().orElse(null);
      if (r == null) return;
      replicas.remove(r);
      if (r.healthCheck != null) r.healthCheck.cancel(false);
      if (r.retiring || phase == PoolState.STOPPING) {
        reconcile(after);
        pump(after);
      } else {
        died(r, r.describe() + " " + worker.exitReason(status), worker.stderrTail(), after);
      }
    }
    perform(after);
  }

  /** An unplanned end: count it; open the pool if deaths come too often, else replace the worker. */
  private void died(Replica r, String description, List<String> stderrTail, List<Runnable> after) {
    Instant now = Instant.now();
    lastDeath = new Death(description, now, stderrTail);
    restarts++;
    if (r.role == Role.SERVING && r.slot >= 1 && r.slot <= slotRestarts.length) slotRestarts[r.slot - 1]++;
    if (phase == PoolState.STARTING) return; // start() fails with the cause; nothing is restarted
    boolean tooOften = policy.recordDeath(now, r.upFor(now));
    if (phase == PoolState.HALF_OPEN) {
      open("its probe worker died: " + description, after);
    } else if (tooOften) {
      open("its workers died " + policy.recentDeaths() + " times in " + policy.window().toSeconds()
          + " s (more than max_restarts = " + policy.maxRestarts() + "); the last: " + description, after);
    } else {
      Duration backoff = policy.backoff();
      nextStartAt = now.plus(backoff);
      boolean spareReady = r.role == Role.SERVING && readySpare() != null;
      Log.warn("pool=" + name() + " " + description + "; "
          + (spareReady ? "a spare takes its place now, " : "")
          + "a new worker starts in " + backoff.toMillis() + " ms");
      reconcile(after);
      pump(after);
    }
  }

  /** The worker did not answer a ping in time: alive but useless. SIGKILL; its exit replaces it. */
  void pingMissed(Replica r, Duration timeout) {
    synchronized (lock) {
      if (r.retiring || !replicas.contains(r)) return;
    }
    r.worker.kill("it did not answer a ping within " + timeout.toMillis()
        + " ms (ping_timeout_ms): it is stopped, deadlocked or stuck in native code");
  }

  /** New load figures: a worker over its memory ceiling is recycled. */
  void statsArrived(Replica r) {
    List<Runnable> after = new ArrayList<>();
    synchronized (lock) {
      long ceiling = limits.maxRssMb() << 20;
      if (ceiling > 0 && r.rssBytes > ceiling) {
        recycle(r, "its RSS of " + (r.rssBytes >> 20) + " MiB is over max_rss_mb = " + limits.maxRssMb(), after);
      }
    }
    perform(after);
  }

  /** A call ended on a worker: free its place, close a half-open pool, recycle, hand on the queue. */
  private void finished(PoolCall call, Replica r, JsonNode answer, Throwable failure) {
    Throwable cause = failure == null ? null : unwrap(failure);
    List<Runnable> after = new ArrayList<>();
    synchronized (lock) {
      r.inFlight--;
      boolean answered = cause == null || cause instanceof WorkerError;
      if (answered) {
        r.callsServed++;
        callsServed++;
      }
      if (answered && phase == PoolState.HALF_OPEN) {
        close("a call on its probe worker was answered", after);
      } else if (answered && r.recycleAfter > 0 && r.callsServed >= r.recycleAfter) {
        recycle(r, "it served " + r.callsServed + " calls (max_calls = " + limits.maxCalls() + ")", after);
      }
      if (r.role == Role.DRAINING && r.inFlight == 0) retire(r, after);
      pump(after);
    }
    perform(after);
    if (cause == null) call.result.complete(answer);
    else if (cause instanceof CancellationException) call.result.cancel(false);
    else call.result.completeExceptionally(cause);
  }

  // ----------------------------------------------------------------------------- transitions

  /**
   * Replaces a healthy worker before a leak hurts it: it takes no new calls and stops once its
   * calls are done, while a spare (or a new worker) takes its slot. One at a time per pool, so
   * capacity drops by at most one worker; the next check recycles the next.
   */
  private void recycle(Replica r, String why, List<Runnable> after) {
    if (phase != PoolState.SERVING || r.role != Role.SERVING || r.retiring) return;
    if (replicas.stream().anyMatch(x -> x.role == Role.DRAINING)) return;
    r.role = Role.DRAINING;
    r.retiring = true;
    Log.worker(Log.Level.INFO, name(), r.id(), r.worker.pid(), "recycling it: " + why);
    reconcile(after);
    if (r.inFlight == 0) retire(r, after);
  }

  /** Too many deaths: fail fast with the cause, stop every worker, try again later. */
  private void open(String why, List<Runnable> after) {
    phase = PoolState.OPEN;
    openedBecause = why;
    halfOpenAt = Instant.now().plus(limits.halfOpenAfter());
    for (Replica r : List.copyOf(replicas)) retire(r, after);
    failQueue(openError(), after);
    TIMERS.schedule(this::halfOpen, limits.halfOpenAfter().toMillis(), TimeUnit.MILLISECONDS);
    Log.block(Log.Level.ERROR,
        "pool=" + name() + " is open: " + why + "; its calls fail at once until it is tried again in "
            + limits.halfOpenAfter().toMillis() + " ms (half_open_after_ms)",
        lastDeath == null ? "" : String.join("\n", lastDeath.stderrTail()));
  }

  /** Half-open: one worker, one call at a time, no backoff: the question is whether the cause is gone. */
  private void halfOpen() {
    List<Runnable> after = new ArrayList<>();
    synchronized (lock) {
      if (phase != PoolState.OPEN) return;
      phase = PoolState.HALF_OPEN;
      nextStartAt = Instant.EPOCH;
      Log.info("pool=" + name() + " is half-open: starting one worker to try again");
      reconcile(after);
    }
    perform(after);
  }

  private void probeSurvived(Replica r) {
    List<Runnable> after = new ArrayList<>();
    synchronized (lock) {
      if (phase == PoolState.HALF_OPEN && replicas.contains(r) && !r.retiring) {
        close("its probe worker stayed up for " + limits.restartWindow().toMillis() + " ms", after);
      }
    }
    perform(after);
  }

  /** The cause is gone: serve with every replica and spare again, with a clean restart history. */
  private void close(String why, List<Runnable> after) {
    phase = PoolState.SERVING;
    openedBecause = null;
    halfOpenAt = null;
    policy.reset();
    nextStartAt = Instant.EPOCH;
    Log.info("pool=" + name() + " is serving again: " + why);
    reconcile(after);
    pump(after);
  }

  /**
   * Makes the workers match what the state asks for: each empty slot gets a ready spare at once,
   * or a new worker once the backoff has passed; then the spares are topped up.
   */
  private void reconcile(List<Runnable> after) {
    if (phase != PoolState.SERVING && phase != PoolState.HALF_OPEN) return;
    int wantServing = phase == PoolState.HALF_OPEN ? 1 : config.replicas();
    int wantSpares = phase == PoolState.HALF_OPEN ? 0 : limits.spare();
    Instant now = Instant.now();
    boolean mayStart = !now.isBefore(nextStartAt);
    boolean missing = false;
    for (int slot = 1; slot <= wantServing; slot++) {
      if (occupied(slot)) continue;
      Replica spare = readySpare();
      if (spare != null) {
        spare.role = Role.SERVING;
        spare.slot = slot;
        Log.worker(Log.Level.INFO, name(), spare.id(), spare.worker.pid(), "spare now serves slot " + slot);
      } else if (mayStart) {
        launch(Role.SERVING, slot);
      } else {
        missing = true;
      }
    }
    long spares = replicas.stream().filter(x -> x.role == Role.SPARE).count();
    for (long i = spares; i < wantSpares; i++) {
      if (mayStart) launch(Role.SPARE, 0);
      else missing = true;
    }
    if (missing && !reconcileScheduled) {
      reconcileScheduled = true;
      long delay = Math.max(1, Duration.between(now, nextStartAt).toMillis());
      TIMERS.schedule(this::reconcileLater, delay, TimeUnit.MILLISECONDS);
    }
  }

  private void reconcileLater() {
    List<Runnable> after = new ArrayList<>();
    synchronized (lock) {
      reconcileScheduled = false;
      reconcile(after);
      pump(after);
    }
    perform(after);
  }

  private boolean occupied(int slot) {
    for (Replica r : replicas) if (r.role == Role.SERVING && r.slot == slot) return true;
    return false;
  }

  private Replica readySpare() {
    for (Replica r : replicas) if (r.role == Role.SPARE && r.ready()) return r;
    return null;
  }

  /** Stops a worker on purpose (stdin closed, then SIGTERM, SIGKILL); its exit is not a death. */
  private void retire(Replica r, List<Runnable> after) {
    r.retiring = true;
    if (r.healthCheck != null) r.healthCheck.cancel(false);
    after.add(() -> r.worker.stop(RETIRE_GRACE));
  }

  // ---------------------------------------------------------------------------------- calls

  /**
   * Sends a request where {@link Admission} says: a worker with room, the bounded queue, or an
   * immediate refusal. Never throws: refusals complete the call with {@link PoolUnavailable}.
   */
  public PoolCall submit(String method, ObjectNode params, CallListener callListener) {
    PoolCall call = new PoolCall(this, method, params, callListener);
    PoolUnavailable refusal;
    List<Runnable> after = new ArrayList<>();
    synchronized (lock) {
      refusal = refusal();
      if (refusal == null) {
        Replica r = admission.pick(replicas, phase == PoolState.HALF_OPEN);
        if (r != null) {
          after.add(assign(call, r));
        } else if (!admission.enqueue(call)) {
          refusal = admission.overloaded(readyServing());
        }
      }
    }
    perform(after);
    if (refusal != null) call.result.completeExceptionally(refusal);
    return call;
  }

  private PoolUnavailable refusal() {
    return switch (phase) {
      case OPEN -> openError();
      case STOPPING -> new PoolUnavailable("pool \"" + name() + "\" is shutting down and takes no new calls");
      case STARTING -> new PoolUnavailable("pool \"" + name() + "\" is still starting; try again shortly");
      default -> accepting ? null : new PoolUnavailable("pool \"" + name() + "\" is shutting down and takes no new calls");
    };
  }

  private PoolUnavailable openError() {
    long inMs = halfOpenAt == null ? 0 : Math.max(0, Duration.between(Instant.now(), halfOpenAt).toMillis());
    return new PoolUnavailable(
        "pool \"" + name() + "\" is open: " + openedBecause + ". Its calls fail at once until it is tried again in "
            + inMs + " ms (half_open_after_ms); fix the cause meanwhile"
            + (lastDeath == null ? "" : lastDeath.lastLines(5)));
  }

  /** Hands queued calls to workers with room, oldest first. Under the lock. */
  private void pump(List<Runnable> after) {
    while (admission.hasQueued()) {
      Replica r = admission.pick(replicas, phase == PoolState.HALF_OPEN);
      if (r == null) return;
      after.add(assign(admission.next(), r));
    }
  }

  private Runnable assign(PoolCall call, Replica r) {
    r.inFlight++;
    call.replica = r;
    return () -> send(call, r);
  }

  /** Outside the lock: the write may block on a worker that stopped reading until it is killed. */
  private void send(PoolCall call, Replica r) {
    WorkerCall onWorker = r.worker.call(call.method, call.params, call.listener);
    String cancelled;
    synchronized (lock) {
      call.onWorker = onWorker;
      cancelled = call.cancelReason;
    }
    if (cancelled != null) onWorker.cancel(cancelled);
    onWorker.result().whenComplete((answer, failure) -> finished(call, r, answer, failure));
  }

  void cancel(PoolCall call, String reason) {
    WorkerCall onWorker;
    boolean wasQueued;
    synchronized (lock) {
      if (call.result.isDone() || call.cancelReason != null) return;
      call.cancelReason = reason == null ? "cancelled" : reason;
      wasQueued = admission.remove(call);
      onWorker = call.onWorker;
    }
    if (wasQueued) call.result.cancel(false);
    else if (onWorker != null) onWorker.cancel(reason);
  }

  private void failQueue(PoolUnavailable error, List<Runnable> after) {
    for (PoolCall call : admission.drain()) after.add(() -> call.result.completeExceptionally(error));
  }

  private static void perform(List<Runnable> after) {
    for (Runnable r : after) {
      try {
        r.run();
      } catch (RuntimeException e) {
        Log.error("pool: " + e);
      }
    }
  }

  // ------------------------------------------------------------------------------- shutdown

  /** Stop routing new calls; queued and running ones go on (the first step of a shutdown). */
  public void stopAccepting() {
    synchronized (lock) {
      accepting = false;
    }
  }

  /** Stops every worker (stdin closed, then SIGTERM, then SIGKILL) and waits for them. */
  public CompletableFuture<Void> shutdown(Duration grace) {
    List<Runnable> after = new ArrayList<>();
    List<Worker> stopping;
    synchronized (lock) {
      phase = PoolState.STOPPING;
      accepting = false;
      failQueue(new PoolUnavailable("pool \"" + name() + "\" is shutting down and takes no new calls"), after);
      stopping = replicas.stream().map(r -> r.worker).toList();
      for (Replica r : replicas) {
        r.retiring = true;
        if (r.healthCheck != null) r.healthCheck.cancel(false);
      }
    }
    perform(after);
    return CompletableFuture.allOf(stopping.stream().map(w -> w.stop(grace)).toArray(CompletableFuture[]::new));
  }

  // --------------------------------------------------------------------- what others read

  public Offer offer() {
    return offer;
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

  private long readyServing() {
    return replicas.stream().filter(r -> r.role == Role.SERVING && r.ready()).count();
  }

  /** Workers alive now, in every role. */
  public List<Worker> workers() {
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
      Instant now = Instant.now();
      ObjectNode pool = Json.object();
      pool.put("name", name());
      pool.put("state", (phase == PoolState.SERVING && readyServing() < config.replicas() ? PoolState.DEGRADED : phase).label());
      pool.put("replicas", config.replicas());
      pool.put("spare", limits.spare());
      pool.put("ready", readyServing());
      pool.put("inFlight", replicas.stream().mapToInt(r -> r.inFlight).sum());
      pool.put("queueDepth", admission.depth());
      pool.put("queueLimit", limits.queue());
      pool.put("maxConcurrency", limits.maxConcurrency());
      pool.put("restarts", restarts);
      pool.put("callsServed", callsServed);
      pool.put("refused", admission.refused());
      if (openedBecause != null) pool.put("openBecause", openedBecause);
      if (halfOpenAt != null && phase == PoolState.OPEN) {
        pool.put("halfOpenInMs", Math.max(0, Duration.between(now, halfOpenAt).toMillis()));
      }
      if (lastDeath != null) {
        ObjectNode death = pool.putObject("lastDeath");
        death.put("what", lastDeath.description());
        death.put("at", lastDeath.at().toString());
        var tail = death.putArray("stderrTail");
        List<String> lines = lastDeath.stderrTail();
        lines.subList(Math.max(0, lines.size() - 5), lines.size()).forEach(tail::add);
      }
      var workers = pool.putArray("workers");
      for (Replica r : replicas) {
        long restartsOfSlot = r.role == Role.SERVING && r.slot >= 1 && r.slot <= slotRestarts.length ? slotRestarts[r.slot - 1] : 0;
        workers.add(r.status(now, restartsOfSlot));
      }
      return pool;
    }
  }

  static Throwable unwrap(Throwable t) {
    while ((t instanceof java.util.concurrent.CompletionException
            || t instanceof java.util.concurrent.ExecutionException)
        && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }

  private static ScheduledExecutorService timers() {
    ScheduledThreadPoolExecutor timers = new ScheduledThreadPoolExecutor(1, r -> {
      Thread t = new Thread(r, "tandem-supervisor");
      t.setDaemon(true);
      return t;
    });
    timers.setRemoveOnCancelPolicy(true);
    return timers;
  }
}
