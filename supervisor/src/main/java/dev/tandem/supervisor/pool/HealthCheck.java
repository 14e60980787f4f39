package dev.tandem.supervisor.pool;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tandem.protocol.Failures;
import dev.tandem.protocol.Json;
import dev.tandem.supervisor.worker.WorkerCall;
import dev.tandem.supervisor.worker.WorkerError;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The health of one ready worker, checked every {@code ping_interval}: an MCP {@code ping} that
 * must be answered within {@code ping_timeout}, and its load. Process exit needs no polling (the
 * worker link hears {@code onExit}); a ping catches what exit cannot: a worker that is alive but
 * does not read (SIGSTOP, a deadlock, native code holding the GIL).
 *
 * <p>Load comes from {@code tandem/stats} when the worker announced it, else from {@code
 * /proc/PID/statm}, so a foreign MCP server is supervised too, with its memory if not its view.
 */
final class HealthCheck {

  private static final long PAGE_SIZE = 4096;

  private final PoolCore pool;
  private final Replica replica;
  private final Duration timeout;

  private HealthCheck(PoolCore pool, Replica replica, Duration timeout) {
    this.pool = pool;
    this.replica = replica;
    this.timeout = timeout;
  }

  static ScheduledFuture<?> start(
      PoolCore pool,
      Replica replica,
      Duration interval,
      Duration timeout,
      ScheduledExecutorService timers) {
    HealthCheck check = new HealthCheck(pool, replica, timeout);
    long ms = interval.toMillis();
    // The first check at once: the status shows a new worker's memory without waiting an interval.
    return timers.scheduleWithFixedDelay(check::tick, 0, ms, TimeUnit.MILLISECONDS);
  }

  private void tick() {
    if (replica.pingOutstanding) return; // its own deadline is running
    replica.pingOutstanding = true;
    long sent = System.nanoTime();
    WorkerCall ping = replica.worker.call("ping", Json.object(), null);
    deadline(ping)
        .whenComplete(
            (answer, failure) -> {
              replica.pingOutstanding = false;
              Throwable cause = failure == null ? null : Failures.cause(failure);
              if (cause == null || cause instanceof WorkerError) {
                // Any answer, even an error from a server that does not know ping, shows it reads
                // and writes.
                replica.lastPingNanos = System.nanoTime() - sent;
              } else if (cause instanceof TimeoutException) {
                pool.recycling.pingMissed(replica, timeout);
              }
            });
    if (replica.worker.speaksStats()) {
      WorkerCall stats = replica.worker.call("tandem/stats", Json.object(), null);
      deadline(stats)
          .whenComplete(
              (answer, failure) -> {
                if (failure != null && Failures.cause(failure) instanceof TimeoutException)
                  stats.cancel("no answer within " + timeout.toMillis() + " ms");
                if (answer == null) return;
                replica.tracesDropped = answer.path("tracesDropped").asLong(0);
                replica.stuckThreads = answer.path("stuckThreads").asInt(0);
                replica.stuckForMs = answer.path("stuckForMs").asLong(0);
                loaded(answer.path("rssBytes").asLong(0));
              });
    } else {
      loaded(rssFromProc(replica.worker.pid()));
    }
  }

  /** The call's answer, or a TimeoutException once the deadline passes (the call itself stays). */
  private CompletableFuture<JsonNode> deadline(WorkerCall call) {
    return call.result().copy().orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  private void loaded(long rssBytes) {
    if (rssBytes > 0) replica.rssBytes = rssBytes;
    pool.recycling.statsArrived(replica);
  }

  private static long rssFromProc(long pid) {
    try {
      String[] fields = Files.readString(Path.of("/proc/" + pid + "/statm")).trim().split(" ");
      return Long.parseLong(fields[1]) * PAGE_SIZE;
    } catch (IOException | RuntimeException e) {
      return 0;
    }
  }
}
