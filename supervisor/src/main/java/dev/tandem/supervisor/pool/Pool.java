package dev.tandem.supervisor.pool;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.supervisor.config.PoolConfig;
import dev.tandem.supervisor.config.ServerConfig;
import dev.tandem.supervisor.config.TraceConfig;
import dev.tandem.supervisor.worker.CallListener;
import dev.tandem.supervisor.worker.Spawner;
import dev.tandem.supervisor.worker.WorkerLink;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The supervisor of one {@code [[pool]]}: its workers, the calls routed to them, and the state
 * machine that keeps them serving. This class is the pool's face (what the router, the admin
 * endpoints and the reload watcher call); the machine is behind it.
 *
 * <p><b>Children.</b> Every worker is permanent: a death that the pool did not ask for is replaced.
 * {@code replicas} workers hold the pool's slots and serve; {@code spare} more are started and kept
 * ready, and fill a slot the moment one empties, so failover does not wait for Python to start.
 *
 * <p><b>Rooms.</b> The state the rooms share lives in {@link PoolCore}, under its lock. {@link
 * WorkerEvents} holds the events, read top to bottom as OTP's supervisor.erl: a worker became
 * ready, could not start, exited (planned, or a death), finished a call. The transitions and jobs
 * beside it: {@link FirstStart} (the first start and its error), {@link Launching} (a worker in a
 * role, from a {@link WorkerFactory}, so the machine runs against fakes in {@code PoolTest}),
 * {@link Dispatch} (admission, queue, cancel), {@link Circuit} (open, half-open, closed), {@link
 * Reloading}, {@link Slots} (slots and spares), {@link Recycling} (replacing live workers), {@link
 * PoolStatus}.
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

  private final PoolCore core;

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
    this.core = new PoolCore(this, config, server, traces, python, workers);
  }

  public String name() {
    return core.name();
  }

  /** See {@link FirstStart}: every replica at once; the pool serves when all are ready. */
  public CompletableFuture<Void> start() {
    return FirstStart.of(core);
  }

  /** Told what the router must pass on to host sessions: the offer changed, a resource changed. */
  public interface Listener {
    default void offerChanged(Pool pool) {}

    default void resourceUpdated(Pool pool, ObjectNode params) {}
  }

  public void listen(Listener listener) {
    core.listener = listener;
  }

  /** See {@link Reloading#reload}: a probe on the new code first, then one worker at a time. */
  public CompletableFuture<Reloaded> reload() {
    return core.reloading.reload();
  }

  /**
   * Sends a request where {@link Admission} says: a worker with room, the bounded queue, or an
   * immediate refusal. Never throws: refusals complete the call with {@link PoolUnavailable}.
   */
  public PoolCall submit(String method, ObjectNode params, CallListener callListener) {
    return core.dispatch.submit(method, params, callListener);
  }

  // ------------------------------------------------------------------------------- shutdown

  /**
   * Shutdown ran out of grace: every call this pool holds, queued or running, is answered now with
   * {@code why} and cancelled on its worker, so no caller is left unanswered when sessions close.
   */
  public void abandonCalls(String why) {
    PoolUnavailable error = new PoolUnavailable(why);
    AfterLock after = new AfterLock(core.lock);
    List<WorkerLink> holding;
    synchronized (core.lock) {
      core.accepting = false;
      core.dispatch.failQueue(error, after);
      holding = core.replicas.stream().map(r -> r.worker).toList();
    }
    after.run();
    for (WorkerLink w : holding) w.abandonCalls(error);
  }

  /** Stops every worker (stdin closed, then SIGTERM, then SIGKILL) and waits for them. */
  public CompletableFuture<Void> shutdown(Duration grace) {
    AfterLock after = new AfterLock(core.lock);
    List<WorkerLink> stopping;
    synchronized (core.lock) {
      core.reloading.interrupt("tandem is shutting down", after);
      core.phase = PoolState.STOPPING;
      core.accepting = false;
      core.dispatch.failQueue(
          new PoolUnavailable("pool \"" + name() + "\" is shutting down and takes no new calls"),
          after);
      stopping = core.replicas.stream().map(r -> r.worker).toList();
      for (Replica r : core.replicas) {
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
    return core.offer;
  }

  /** Where a Python pool's code lives (its {@code path}); none for a {@code command} pool. */
  public List<Path> sourceDirectories() {
    return core.config.isPython() ? core.config.path() : List.of();
  }

  public List<JsonNode> tools() {
    return core.offer.tools();
  }

  public Duration callTimeout() {
    return core.limits.callTimeout();
  }

  public PoolState state() {
    synchronized (core.lock) {
      return core.state();
    }
  }

  /** Workers alive now, in every role. */
  public List<WorkerLink> workers() {
    synchronized (core.lock) {
      return core.replicas.stream().map(r -> r.worker).toList();
    }
  }

  public int readyWorkers() {
    synchronized (core.lock) {
      return (int) core.readyServing();
    }
  }

  public int inFlight() {
    synchronized (core.lock) {
      return core.replicas.stream().mapToInt(r -> r.inFlight).sum();
    }
  }

  public int queueDepth() {
    synchronized (core.lock) {
      return core.admission.depth();
    }
  }

  /** Unplanned worker deaths since start, each followed by a replacement (or the pool opening). */
  public long restarts() {
    synchronized (core.lock) {
      return core.restarts;
    }
  }

  public long callsServed() {
    synchronized (core.lock) {
      return core.callsServed;
    }
  }

  /** Calls refused as overloaded since start. */
  public long refused() {
    synchronized (core.lock) {
      return core.admission.refused();
    }
  }

  /** This pool's part of {@link StatusReport}: its state, counters and every worker. */
  public ObjectNode status() {
    synchronized (core.lock) {
      return PoolStatus.of(core);
    }
  }
}
