package dev.tandem.supervisor.worker;

import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Starts every worker process from one long-lived platform thread. A worker asks the kernel to
 * kill it when its parent dies (PR_SET_PDEATHSIG), and Linux ties that to the thread that forked
 * it, not to the JVM: a child forked from a pooled or virtual thread would be killed whenever
 * that thread happened to end. This thread lives as long as the daemon.
 */
public final class Spawner {

  private final ExecutorService thread =
      Executors.newSingleThreadExecutor(
          r -> {
            Thread t = new Thread(r, "tandem-spawner");
            t.setDaemon(true);
            return t;
          });

  public CompletableFuture<Process> spawn(ProcessBuilder builder) {
    return CompletableFuture.supplyAsync(
        () -> {
          try {
            return builder.start();
          } catch (IOException e) {
            throw new SpawnFailed(
                "could not start " + String.join(" ", builder.command()) + ": " + e.getMessage(), e);
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
