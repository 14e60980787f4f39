package dev.tandem.supervisor.worker;

import dev.tandem.supervisor.process.Child;
import dev.tandem.supervisor.process.ChildSpec;
import dev.tandem.supervisor.process.Launcher;
import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Starts every worker process, through the {@link Launcher}, from one long-lived platform thread. A
 * worker asks the kernel to kill it when its parent dies (PR_SET_PDEATHSIG), and Linux ties that to
 * the thread that forked it, not to the JVM: a child forked from a pooled or virtual thread would
 * be killed whenever that thread happened to end. This thread lives as long as the daemon.
 */
public final class Spawner {

  private final CompletableFuture<Launcher> launcher;
  private final ExecutorService thread =
      Executors.newSingleThreadExecutor(
          r -> {
            Thread t = new Thread(r, "tandem-spawner");
            t.setDaemon(true);
            return t;
          });

  /**
   * The daemon's. Its thread starts at once with what a first spawn would otherwise wait for:
   * reaping what a predecessor killed with SIGKILL left running, and loading zt-exec (tens of ms of
   * class loading), beside the config being read; spawns queue behind it on the same thread.
   */
  public Spawner() {
    this.launcher =
        CompletableFuture.supplyAsync(
            () -> {
              Launcher l = Launcher.forThisDaemon();
              l.ledger().reapLeftovers();
              Launcher.warm();
              return l;
            },
            thread);
  }

  public Spawner(Launcher launcher) {
    this.launcher = CompletableFuture.completedFuture(launcher);
  }

  public CompletableFuture<Child> spawn(ChildSpec spec, Child.Events events) {
    return CompletableFuture.supplyAsync(
        () -> {
          try {
            return launcher.join().start(spec, events);
          } catch (IOException e) {
            throw new SpawnFailed(
                "could not start " + String.join(" ", spec.command()) + ": " + e.getMessage(), e);
          }
        },
        thread);
  }

  /** The process could not even be started (no such program, not executable). */
  public static final class SpawnFailed extends RuntimeException {
    SpawnFailed(String message, Throwable cause) {
      super(message, cause);
    }
  }
}
