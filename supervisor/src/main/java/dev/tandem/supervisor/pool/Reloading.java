package dev.tandem.supervisor.pool;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.protocol.Failures;
import dev.tandem.protocol.Json;
import dev.tandem.supervisor.log.Log;
import dev.tandem.supervisor.pool.Replica.Role;
import dev.tandem.supervisor.worker.ExitStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The reload transitions of one pool: a probe on the code as it is on disk now, then, once it
 * serves, old workers replaced one at a time. The pool's events call in here (a probe ready or
 * gone, a worker ready, the pool opening or stopping); {@link Reload} holds one reload's
 * bookkeeping. Every method but {@link #reload} and {@link #probeReady} runs under the pool's lock,
 * and leaves its side effects in the {@link AfterLock} it is given.
 */
final class Reloading {

  private final PoolCore pool;

  // Guarded by pool.lock.
  /** The reload in progress, if any; reloads of one pool run one after another. */
  private Reload current;

  private CompletableFuture<?> chain = CompletableFuture.completedFuture(null);
  private ObjectNode last;

  Reloading(PoolCore pool) {
    this.pool = pool;
  }

  /**
   * Replaces every worker with a fresh process on the code as it is on disk now, without dropping a
   * call. First one probe worker starts on the new code; if it does not come up (a module that no
   * longer imports, most often), the reload fails with its traceback and nothing else changes. Once
   * it answered initialize and listed what it serves, the reload commits: old spares stop, and old
   * serving workers are replaced one at a time, each only when a new worker is ready to take its
   * slot; a replaced worker takes no new calls and stops when its calls in flight are answered. The
   * pool's offer becomes the new code's when the last slot changed hands, which is when the router
   * tells hosts if their lists changed. Reloads of one pool run one after another, each on the code
   * as it is when it starts.
   */
  CompletableFuture<Reloaded> reload() {
    CompletableFuture<Reloaded> done = new CompletableFuture<>();
    CompletableFuture<?> previous;
    synchronized (pool.lock) {
      previous = chain;
      chain = done;
    }
    previous
        .handle((r, f) -> null)
        .thenCompose(ignored -> begin())
        .whenComplete(
            (r, failure) -> {
              if (failure == null) done.complete(r);
              else done.completeExceptionally(Failures.cause(failure));
            });
    return done;
  }

  private CompletableFuture<Reloaded> begin() {
    synchronized (pool.lock) {
      if (pool.phase == PoolState.STOPPING || !pool.accepting) {
        return CompletableFuture.failedFuture(
            new PoolUnavailable(
                "pool \"" + pool.name() + "\" is shutting down; nothing to reload"));
      }
      if (pool.phase == PoolState.STARTING) {
        return CompletableFuture.failedFuture(
            new PoolUnavailable(
                "pool \"" + pool.name() + "\" is still starting; reload it once it serves"));
      }
      List<Long> old =
          pool.replicas.stream().filter(r -> !r.retiring).map(r -> r.worker.pid()).toList();
      current = new Reload(pool.generation + 1, pool.offer, old);
      current.probe = pool.launching.launch(Role.PROBE, 0, current.generation);
      Log.info(
          "pool="
              + pool.name()
              + " reloading: worker "
              + current.probe.id()
              + " starts on the current code of "
              + (pool.config.isPython()
                  ? "modules " + pool.config.modules()
                  : String.join(" ", pool.config.command()))
              + "; the old workers serve until it is ready");
      return current.result;
    }
  }

  /**
   * The probe answered initialize: ask what the new code serves, outside the lock (it is a call).
   */
  void probeReady(Replica probe) {
    OfferListing.of(probe.worker)
        .whenComplete(
            (o, failure) -> {
              AfterLock after = new AfterLock(pool.lock);
              synchronized (pool.lock) {
                Reload r = current;
                if (r == null || r.probe != probe) return;
                if (failure != null) {
                  pool.retire(probe, after);
                  fail(
                      r.interrupted(
                          pool.name(),
                          "its new worker "
                              + probe.describe()
                              + " could not list what it serves: "
                              + Failures.cause(failure).getMessage()
                              + "; the old workers keep serving",
                          oldServing()),
                      after);
                } else {
                  commit(r, o, after);
                }
              }
              after.run();
            });
  }

  /** The probe ended before it was ready: the new code does not start. Not a death of the pool. */
  void probeFailed(
      Replica probe, String how, ExitStatus status, List<String> stderr, AfterLock after) {
    Reload r = current;
    if (r == null || r.probe != probe) return;
    ReloadFailed error =
        r.probeDied(pool.name(), pool.config.modules(), how, status, stderr, oldServing());
    Log.block(
        Log.Level.ERROR,
        error.getMessage().lines().findFirst().orElse(""),
        String.join("\n", error.traceback()));
    fail(error, after);
  }

  /** The pool opened or is stopping: a reload under way fails with {@code why}. */
  void interrupt(String why, AfterLock after) {
    if (current != null) fail(current.interrupted(pool.name(), why, List.of()), after);
  }

  /**
   * The new code serves: from now on the old workers are replaced, and new ones run the new code.
   */
  private void commit(Reload r, Offer next, AfterLock after) {
    r.next = next;
    pool.generation = r.generation;
    r.probe.role = Role.SPARE;
    for (Replica x : List.copyOf(pool.replicas)) {
      if (x.role == Role.SPARE && x.generation < pool.generation) {
        x.role = Role.DRAINING;
        pool.retire(x, after);
      }
    }
    long old =
        pool.replicas.stream()
            .filter(x -> x.role == Role.SERVING && x.generation < pool.generation)
            .count();
    Log.info(
        "pool="
            + pool.name()
            + " reloading: the new code starts ("
            + next.tools().size()
            + " tool(s)); replacing "
            + old
            + " worker(s) one at a time");
    if (pool.phase == PoolState.OPEN || pool.phase == PoolState.HALF_OPEN) {
      pool.circuit.close("it was reloaded and its new code starts", after);
    }
    roll(after);
  }

  /**
   * One step of a committed reload, run whenever a worker becomes ready: while an old worker holds
   * a slot and a new one is ready, the old one drains and the new one takes its slot; with none
   * ready, one is started. So the pool never serves with fewer ready workers than before.
   */
  void roll(AfterLock after) {
    Reload r = current;
    if (r == null || !r.committed() || pool.phase != PoolState.SERVING) return;
    while (true) {
      Replica old = null;
      for (Replica x : pool.replicas) {
        if (x.role == Role.SERVING && x.generation < pool.generation) {
          old = x;
          break;
        }
      }
      if (old == null) {
        finish(r, after);
        return;
      }
      if (pool.slots.readySpare() == null) {
        boolean starting =
            pool.replicas.stream().anyMatch(x -> x.role == Role.SPARE && !x.retiring);
        if (!starting) pool.launching.launch(Role.SPARE, 0, pool.generation);
        return; // its readiness brings us back here
      }
      old.role = Role.DRAINING;
      old.retiring = true;
      Log.worker(
          Log.Level.INFO,
          pool.name(),
          old.id(),
          old.worker.pid(),
          "replaced by the reload: it takes no new calls"
              + (old.inFlight > 0
                  ? " and stops once its " + old.inFlight + " call(s) in flight are answered"
                  : " and stops"));
      pool.slots.reconcile(
          after); // the ready spare takes the slot now, and the spares are topped up
      if (old.inFlight == 0) pool.retire(old, after);
    }
  }

  private void finish(Reload r, AfterLock after) {
    current = null;
    pool.offer = r.next;
    int generation = pool.generation;
    List<Long> newPids =
        pool.replicas.stream()
            .filter(x -> x.generation == generation && !x.retiring && x.worker.pid() > 0)
            .map(x -> x.worker.pid())
            .toList();
    int draining = (int) pool.replicas.stream().filter(x -> x.generation < generation).count();
    Reloaded done =
        new Reloaded(
            pool.name(),
            generation,
            r.oldPids,
            newPids,
            draining,
            r.before,
            r.next,
            Duration.between(r.started, Instant.now()));
    last =
        Json.object()
            .put("at", Instant.now().toString())
            .put("ok", true)
            .put("generation", generation)
            .put("ms", done.took().toMillis());
    Log.info(
        "pool="
            + pool.name()
            + " reloaded (generation "
            + generation
            + ") in "
            + done.took().toMillis()
            + " ms: workers "
            + newPids
            + " replace "
            + r.oldPids
            + (draining > 0 ? " (" + draining + " old worker(s) still stopping)" : "")
            + "; tools "
            + r.before.tools().size()
            + " -> "
            + r.next.tools().size());
    after.add(pool::offerChanged);
    after.add(() -> r.result.complete(done));
  }

  private void fail(ReloadFailed error, AfterLock after) {
    Reload r = current;
    current = null;
    if (r == null) return;
    if (r.probe != null && pool.replicas.contains(r.probe) && !r.probe.retiring)
      pool.retire(r.probe, after);
    last =
        Json.object()
            .put("at", Instant.now().toString())
            .put("ok", false)
            .put("error", error.getMessage());
    after.add(() -> r.result.completeExceptionally(error));
  }

  /** The pids of the workers serving now: what keeps serving when a reload fails. */
  private List<Long> oldServing() {
    return pool.replicas.stream()
        .filter(x -> x.role == Role.SERVING && !x.retiring)
        .map(x -> x.worker.pid())
        .toList();
  }

  /** The reload's part of the pool's status. Under the pool's lock. */
  void status(ObjectNode into) {
    if (current != null)
      into.put("reloading", current.committed() ? "replacing workers" : "starting the new code");
    if (last != null) into.set("lastReload", last.deepCopy());
  }
}
