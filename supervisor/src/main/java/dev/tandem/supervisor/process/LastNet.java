package dev.tandem.supervisor.process;

import dev.tandem.supervisor.log.Log;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Destroy-on-exit, the last net behind PR_SET_PDEATHSIG: when the JVM exits with children still
 * running (an exit that skipped the orderly stop, a foreign server that sets no PDEATHSIG), they
 * and their process groups are killed, and a clean exit removes the ledger.
 *
 * <p>Not zt-exec's {@code ShutdownHookProcessDestroyer}: that one sends SIGTERM to each child at
 * once, from a hook that runs alongside the daemon's own shutdown hook, which would cut short the
 * calls a graceful stop lets finish (SIGHUP ends the JVM through its hooks). This one waits for
 * that stop first, up to {@link #PATIENCE}, and kills process groups, not just their leaders.
 */
final class LastNet {

  /** Longer than an orderly stop takes: the grace for calls, then 2 s per worker to exit. */
  private static final long PATIENCE_MS = 15_000;

  private final Set<Child> live = ConcurrentHashMap.newKeySet();
  private final GroupLedger ledger;

  LastNet(GroupLedger ledger) {
    this.ledger = ledger;
    Runtime.getRuntime().addShutdownHook(new Thread(this::run, "tandem-last-net"));
  }

  void add(Child child) {
    live.add(child);
  }

  void remove(Child child) {
    live.remove(child);
  }

  private void run() {
    long deadline = System.currentTimeMillis() + PATIENCE_MS;
    for (Child child : List.copyOf(live)) {
      try {
        child.gone().get(Math.max(0, deadline - System.currentTimeMillis()), TimeUnit.MILLISECONDS);
      } catch (Exception e) {
        Log.warn(
            "pid "
                + child.pid()
                + " still running as the daemon exits; killing it and its process group");
        child.kill();
        child.killGroup();
      }
    }
    ledger.close();
  }
}
