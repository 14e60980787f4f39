package dev.tandem.supervisor.pool;

import dev.tandem.supervisor.log.Log;
import java.util.ArrayList;
import java.util.List;

/**
 * The side effects of one pool event, collected under the pool's lock and run once it is released:
 * writes to a worker's pipe (which block on a worker that stopped reading), stopping workers,
 * completing callers' futures (whose continuations may come straight back with another call).
 * {@link #run} refuses to run them under the lock, as OkHttp's Dispatcher asserts the lock is not
 * held before it runs callbacks, so the rule is enforced in one place.
 */
final class AfterLock {

  private final Object lock;

  /** Most events have one effect (a call's write): it costs no list, as on the call path. */
  private Runnable first;

  private List<Runnable> more;

  AfterLock(Object lock) {
    this.lock = lock;
  }

  void add(Runnable effect) {
    if (first == null) {
      first = effect;
    } else {
      if (more == null) more = new ArrayList<>();
      more.add(effect);
    }
  }

  /** Runs every effect in order; one that throws is logged and does not stop the rest. */
  void run() {
    if (Thread.holdsLock(lock))
      throw new IllegalStateException("pool side effects must run after its lock is released");
    if (first != null) attempt(first);
    if (more != null) for (Runnable r : more) attempt(r);
  }

  private static void attempt(Runnable effect) {
    try {
      effect.run();
    } catch (RuntimeException e) {
      Log.error("pool: " + e);
    }
  }
}
