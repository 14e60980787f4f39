package dev.tandem.supervisor.pool;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.protocol.Json;
import dev.tandem.supervisor.config.PoolConfig;
import dev.tandem.supervisor.config.ServerConfig;
import dev.tandem.supervisor.log.Log;
import dev.tandem.supervisor.worker.ExitStatus;
import dev.tandem.supervisor.worker.Spawner;
import dev.tandem.supervisor.worker.Worker;
import dev.tandem.supervisor.worker.CallListener;
import dev.tandem.supervisor.worker.WorkerCall;
import dev.tandem.supervisor.worker.WorkerDied;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * The replicas of one {@code [[pool]]}: every worker is a permanent child, replaced when it dies,
 * and each call goes to the ready worker with the fewest calls in flight.
 *
 * <p>Restart policy (OTP's "permanent" child): a worker that exits while the pool is running is
 * replaced after a backoff that doubles from {@link #BACKOFF_MIN} to {@link #BACKOFF_MAX}, with up
 * to 50% jitter so replicas that died together do not restart together; the backoff resets once a
 * worker has stayed up for {@link #STABLE_AFTER}.
 */
public final class Pool {

  static final Duration BACKOFF_MIN = Duration.ofMillis(100);
  static final Duration BACKOFF_MAX = Duration.ofSeconds(10);
  static final Duration STABLE_AFTER = Duration.ofSeconds(30);

  private final PoolConfig config;
  private final ServerConfig server;
  private final PythonRuntime python;
  private final Spawner spawner;
  private final String version;
  private final List<Worker> workers = new CopyOnWriteArrayList<>();
  private volatile Offer offer = Offer.EMPTY;
  private volatile Listener listener = new Listener() {};
  private volatile boolean stopping;
  private volatile int consecutiveFailures;
  private volatile String lastDeath = "";

  /** Told what the router must pass on to host sessions: the offer changed, a resource changed. */
  public interface Listener {
    default void offerChanged(Pool pool) {}

    default void resourceUpdated(Pool pool, ObjectNode params) {}
  }

  public void listen(Listener listener) {
    this.listener = listener;
  }

  public Pool(PoolConfig config, ServerConfig server, PythonRuntime python, Spawner spawner, String version) {
    this.config = config;
    this.server = server;
    this.python = python;
    this.spawner = spawner;
    this.version = version;
  }

  public String name() {
    return config.name();
  }

  /**
   * Starts every replica at once and completes when all are ready and the tools are known, or
   * fails with the first worker that could not start (with its stderr, which holds the traceback).
   */
  public CompletableFuture<Void> start() {
    List<CompletableFuture<Worker>> starting = new ArrayList<>();
    for (int i = 1; i <= config.replicas(); i++) starting.add(launch(i));
    return CompletableFuture.allOf(starting.toArray(CompletableFuture[]::new))
        .exceptionally(
            failure -> {
              Throwable cause = unwrap(failure);
              List<String> tail = cause instanceof WorkerDied d ? d.stderrTail() : List.of();
              String why =
                  cause instanceof WorkerDied d && d.status().code() == ExitStatus.IMPORT_FAILED
                      ? "its Python modules " + config.modules() + " failed to import (" + cause.getMessage() + ")"
                      : cause.getMessage();
              throw new PoolStartFailed("pool \"" + name() + "\" could not start: " + why, tail, cause);
            })
        .thenCompose(ignored -> OfferListing.of(starting.get(0).join()))
        .thenAccept(o -> {
          offer = o;
          Log.info("pool=" + name() + " ready: " + config.replicas() + " worker(s), " + o.tools().size() + " tool(s), "
              + o.prompts().size() + " prompt(s), " + (o.resources().size() + o.resourceTemplates().size()) + " resource(s)");
        });
  }

  private CompletableFuture<Worker> launch(int index) {
    Worker worker = new Worker(WorkerCommand.spec(config, server, python, index), events);
    workers.add(worker);
    return worker.start(spawner, version);
  }

  private final Worker.Events events = new Worker.Events() {
    @Override
    public void exited(Worker worker, ExitStatus status) {
      Pool.this.exited(worker, status);
    }

    @Override
    public void listChanged(Worker worker, String notification) {
      // Every replica serves the same modules, so one worker's new list is the pool's.
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

  public Offer offer() {
    return offer;
  }

  public List<JsonNode> tools() {
    return offer.tools();
  }

  /** Sends a request to the least-loaded ready worker. */
  public WorkerCall call(String method, ObjectNode params, CallListener callListener) {
    Worker target =
        workers.stream()
            .filter(w -> w.state() == Worker.State.READY)
            .min(Comparator.comparingInt(Worker::inFlight))
            .orElseThrow(
                () ->
                    new PoolUnavailable(
                        "pool \"" + name() + "\" has no ready worker"
                            + (lastDeath.isEmpty() ? "" : " (last: " + lastDeath + ")")
                            + "; a replacement is starting, try again shortly"));
    return target.call(method, params, callListener);
  }

  private void exited(Worker worker, ExitStatus status) {
    if (stopping) return;
    lastDeath = worker.spec().label() + " (pid " + worker.pid() + ") " + status.describe();
    workers.remove(worker);
    boolean wasStable =
        worker.startedAt() != null
            && Duration.between(worker.startedAt(), java.time.Instant.now()).compareTo(STABLE_AFTER) > 0;
    int failures = wasStable ? 0 : consecutiveFailures + 1;
    consecutiveFailures = failures;
    Duration delay = backoff(failures);
    Log.warn("pool=" + name() + " " + lastDeath + "; replacing it in " + delay.toMillis() + " ms");
    Executor later = CompletableFuture.delayedExecutor(delay.toMillis(), TimeUnit.MILLISECONDS);
    CompletableFuture.runAsync(
        () -> {
          if (stopping) return;
          launch(worker.spec().index())
              .exceptionally(
                  failure -> {
                    Log.error("pool=" + name() + " replacement failed: " + unwrap(failure).getMessage());
                    return null;
                  });
        },
        later);
  }

  static Duration backoff(int failures) {
    if (failures <= 0) return BACKOFF_MIN;
    long base = BACKOFF_MIN.toMillis() << Math.min(failures - 1, 16);
    long capped = Math.min(base, BACKOFF_MAX.toMillis());
    long jitter = (long) (capped * 0.5 * ThreadLocalRandom.current().nextDouble());
    return Duration.ofMillis(capped + jitter);
  }

  public List<Worker> workers() {
    return List.copyOf(workers);
  }

  public int inFlight() {
    return workers.stream().mapToInt(Worker::inFlight).sum();
  }

  /** Stops every worker (stdin closed, then SIGTERM, then SIGKILL) and waits for them. */
  public CompletableFuture<Void> shutdown(Duration grace) {
    stopping = true;
    return CompletableFuture.allOf(
        workers.stream().map(w -> w.stop(grace)).toArray(CompletableFuture[]::new));
  }

  static Throwable unwrap(Throwable t) {
    while ((t instanceof java.util.concurrent.CompletionException
            || t instanceof java.util.concurrent.ExecutionException)
        && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }
}
