package dev.tandem.supervisor.tasks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.protocol.Failures;
import dev.tandem.protocol.Json;
import dev.tandem.protocol.RawJson;
import dev.tandem.protocol.RpcError;
import dev.tandem.supervisor.log.Log;
import dev.tandem.supervisor.router.CallFailed;
import dev.tandem.supervisor.router.HostLink;
import dev.tandem.supervisor.router.RoutedCall;
import dev.tandem.supervisor.router.Router;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * Runs tool calls as tasks: each is an ordinary call through {@link Router#callTool} whose answer
 * goes into the {@link TaskStore} instead of a reply, so the host polls for it and the daemon, not
 * the worker, holds it. What a running task asks the host is parked on it ({@link RunningTask})
 * until the host answers. The engine holds a lease on its tasks in the store, renewed every third
 * of {@code leaseMs}; it takes over the tasks of a daemon whose lease expired (this one's
 * predecessor, or a replica that died): an idempotent one runs again, any other ends failed, none
 * stays working.
 */
public final class TaskEngine implements AutoCloseable {

  public record Settings(long ttlMs, long pollIntervalMs, int maxTasks, long leaseMs) {
    public static final Settings DEFAULTS = new Settings(3_600_000, 1_000, 10_000, 15_000);
  }

  /** A holder, so a daemon that never makes a task never seeds a SecureRandom. */
  private static final class Ids {
    static final SecureRandom RANDOM = new SecureRandom();
  }

  private final Router router;
  private final Supplier<TaskStore> opener;
  private final BooleanSupplier stored;
  private volatile TaskStore opened;
  private final Settings settings;
  private final LongSupplier clock;

  /**
   * This daemon's name as a runner, made on first use: a random UUID seeds the SecureRandom, which
   * loads the security providers (15-20 ms) that a start must not wait for.
   */
  private volatile String runner;

  private final Map<String, RunningTask> running = new ConcurrentHashMap<>();
  private volatile boolean stopping;
  private final TaskLease lease;
  private final TaskAnswers answers;
  private ScheduledExecutorService purger;

  /**
   * {@code store} opens the store, on first use: a daemon that never runs a task never loads it
   * (nor do its AOT cache and start time pay for it). {@code stored}: whether a store exists
   * already, which {@link #start} then opens to take over its unfinished tasks.
   */
  public TaskEngine(
      Router router,
      Supplier<TaskStore> store,
      BooleanSupplier stored,
      Settings settings,
      LongSupplier clock) {
    this.router = router;
    this.opener = store;
    this.stored = stored;
    this.settings = settings;
    this.clock = clock;
    this.lease = new TaskLease(this, running, clock, settings.leaseMs());
    this.answers = new TaskAnswers(running);
  }

  /**
   * The store, opened now if it is not yet. Its first heartbeat takes the lease before any task of
   * this daemon is stored (a task without a live lease would be another replica's to take); from
   * then on the lease is renewed every third of {@code leaseMs}, and expired tasks are purged every
   * minute, and answers given on other replicas are polled for (three threads: a slow purge never
   * delays a renewal).
   */
  private TaskStore store() {
    TaskStore s = opened;
    if (s != null) return s;
    List<TaskRecord> orphans;
    synchronized (this) {
      if (opened != null) return opened;
      s = opener.get();
      orphans = s.heartbeat(runner(), clock.getAsLong(), settings.leaseMs());
      opened = s;
      purger =
          Executors.newScheduledThreadPool(
              3,
              r -> {
                Thread t = new Thread(r, "tandem-tasks");
                t.setDaemon(true);
                return t;
              });
      TaskStore open = s;
      purger.scheduleWithFixedDelay(
          () -> {
            try {
              open.purgeExpired(clock.getAsLong());
            } catch (RuntimeException e) {
              Log.warn("purging expired tasks failed: " + e.getMessage());
            }
          },
          60,
          60,
          TimeUnit.SECONDS);
      purger.scheduleWithFixedDelay(
          () -> answers.poll(open),
          TaskAnswers.POLL_MS,
          TaskAnswers.POLL_MS,
          TimeUnit.MILLISECONDS);
      long beat = Math.max(1, settings.leaseMs() / 3);
      purger.scheduleAtFixedRate(() -> lease.heartbeat(open), beat, beat, TimeUnit.MILLISECONDS);
    }
    lease.takeOver(s, orphans);
    return s;
  }

  public Settings settings() {
    return settings;
  }

  /** This daemon's name as the runner of its tasks in the store. */
  String runner() {
    String r = runner;
    if (r == null) {
      synchronized (this) {
        if (runner == null) runner = java.util.UUID.randomUUID().toString();
        r = runner;
      }
    }
    return r;
  }

  /**
   * Opens a store that holds tasks already (a predecessor's, or replicas' in a shared store), which
   * takes over those whose runner's lease has expired.
   */
  public void start() {
    if (!stored.getAsBoolean()) return;
    try {
      store().purgeExpired(clock.getAsLong());
    } catch (RuntimeException e) {
      // The daemon serves its tools still; a task call tries the store again and says why it fails.
      Log.warn("the task store cannot be opened now: " + e.getMessage());
    }
  }

  /**
   * Creates a task for {@code params} (a {@code tools/call}'s params) owned by {@code owner} and
   * starts it; returns the record once it is durably stored. {@code prefill}: answers the host gave
   * before being asked, by key. {@code relay}: where questions go when the host can be asked
   * directly (a session-era host); null parks them on the task for {@code tasks/get}.
   */
  public TaskRecord start(
      String owner, ObjectNode params, boolean idempotent, JsonNode prefill, HostLink relay) {
    return start(owner, params, idempotent, prefill, relay, settings.ttlMs());
  }

  /** As above, kept {@code ttlMs} after it ends (a 2025-11-25 host may ask for its own ttl). */
  public TaskRecord start(
      String owner,
      ObjectNode params,
      boolean idempotent,
      JsonNode prefill,
      HostLink relay,
      long ttlMs) {
    long now = clock.getAsLong();
    String tool = params.path("name").asText();
    JsonNode given = params.get("arguments");
    // Arguments may travel as the bytes the host sent (RawJson); the store keeps a tree.
    if (given instanceof RawJson raw) given = raw.tree();
    ObjectNode arguments = given instanceof ObjectNode a ? a.deepCopy() : Json.object();
    TaskRecord task =
        new TaskRecord(
            newId(),
            owner,
            tool,
            digest(arguments),
            idempotent ? arguments : null,
            idempotent,
            TaskRecord.WORKING,
            null,
            null,
            null,
            now,
            now,
            ttlMs,
            runner());
    if (!store().create(task)) {
      throw new CallFailed(
          RpcError.internal(
              "tandem holds "
                  + settings.maxTasks()
                  + " tasks already ([tasks] max_tasks); wait for finished ones to expire after their ttlMs, or raise the limit"));
    }
    run(task, params, prefill, relay);
    return task;
  }

  void run(TaskRecord task, ObjectNode params, JsonNode prefill, HostLink relay) {
    RunningTask live = new RunningTask(this, task.id(), prefill, relay);
    running.put(task.id(), live);
    // Progress reaches a host link only for a call with a token: the task's own.
    ObjectNode forWorker =
        Json.withMeta(params, "progressToken", Json.NODES.textNode("task-" + task.id()));
    forWorker.remove("task");
    RoutedCall call = router.callTool(forWorker, live);
    live.attach(call);
    call.answer()
        .whenComplete((result, failure) -> finish(task.id(), result, failure, call.workerDied()));
  }

  /**
   * Shutdown has begun: a call that fails from now on failed because tandem is stopping, which is
   * not the task's outcome; it stays as it is, for the next daemon to re-run or fail.
   */
  public void stopping() {
    stopping = true;
  }

  /**
   * {@code workerDied}: the answer is the error its worker's death left (a failure, not a result).
   */
  private void finish(String id, JsonNode answer, Throwable failure, boolean workerDied) {
    // A worker's result may travel as its bytes (RawJson); the store and the checks need a tree.
    JsonNode result = answer instanceof RawJson raw ? raw.tree() : answer;
    if (stopping && (failure != null || result.path("isError").asBoolean(false))) return;
    RunningTask live = running.remove(id);
    if (live != null) live.closeQuestions();
    TaskRecord t = store().get(id);
    // Another replica took it over (this daemon's lease lapsed): the task is its to end.
    if (t == null || t.terminal() || !runner().equals(t.runner())) return;
    long now = clock.getAsLong();
    TaskRecord ended;
    if (failure != null) {
      Throwable cause = Failures.cause(failure);
      if (cause instanceof CancellationException) {
        ended = t.ended(TaskRecord.CANCELLED, "cancelled", null, null, now);
      } else {
        RpcError error = CallFailed.errorOf(cause);
        ended = t.ended(TaskRecord.FAILED, error.message(), null, errorJson(error), now);
      }
    } else if (workerDied) {
      String why = result.path("content").path(0).path("text").asText("its worker died");
      ended = t.ended(TaskRecord.FAILED, why, null, errorJson(RpcError.internal(why)), now);
    } else {
      ended = t.ended(TaskRecord.COMPLETED, null, result, null, now);
    }
    store().put(ended);
    if (live != null) live.ended(ended);
  }

  /** The task if {@code owner} may see it; null for one that does not exist or is another's. */
  public TaskRecord get(String owner, String id) {
    TaskRecord t = id == null ? null : store().get(id);
    if (t == null || !t.owner().equals(owner)) return null;
    if (t.expired(clock.getAsLong())) return null;
    return t;
  }

  public List<TaskRecord> list(String owner) {
    long now = clock.getAsLong();
    return store().listByOwner(owner).stream().filter(t -> !t.expired(now)).toList();
  }

  /** The task's open questions, by the keys a host answers, from the store (any replica's). */
  public ObjectNode inputRequests(String id) {
    return store().questions(id);
  }

  void ask(String id, String key, ObjectNode request) {
    store().ask(id, key, request);
  }

  /**
   * Answers to a task's questions ({@link TaskAnswers#update}); null when the task is not found.
   * Throws {@link CallFailed} for a task that has ended: it takes no answers.
   */
  public Map<String, String> update(String owner, String id, JsonNode responses) {
    TaskRecord t = get(owner, id);
    return t == null ? null : answers.update(store(), t, responses);
  }

  /** Cancels a running task (an ended one is left as it is); false if not found. */
  public boolean cancel(String owner, String id) {
    TaskRecord t = get(owner, id);
    if (t == null) return false;
    if (t.terminal()) return true;
    TaskRecord cancelled =
        t.ended(TaskRecord.CANCELLED, "cancelled by the client", null, null, clock.getAsLong());
    store().put(cancelled);
    RunningTask live = running.remove(id);
    if (live != null) {
      live.cancel("the task was cancelled");
      live.ended(cancelled);
    }
    return true;
  }

  /** Waits for the task to end: what {@code tasks/result} blocks on (2025-11-25). */
  public java.util.concurrent.CompletableFuture<TaskRecord> whenEnded(String owner, String id) {
    TaskRecord t = get(owner, id);
    if (t == null) return java.util.concurrent.CompletableFuture.completedFuture(null);
    if (t.terminal()) return java.util.concurrent.CompletableFuture.completedFuture(t);
    RunningTask live = running.get(id);
    if (live == null) {
      TaskRecord now = store().get(id);
      return java.util.concurrent.CompletableFuture.completedFuture(now);
    }
    return live.end();
  }

  /** Someone to tell when a task changes status (2025-11-25's notifications/tasks/status). */
  public void observe(String id, java.util.function.Consumer<TaskRecord> observer) {
    RunningTask live = running.get(id);
    if (live != null) live.observe(observer);
  }

  void status(String id, String status, String message) {
    TaskRecord t = store().get(id);
    if (t == null || t.terminal() || !runner().equals(t.runner())) return;
    if (status.equals(t.status()) && java.util.Objects.equals(message, t.statusMessage())) return;
    TaskRecord changed = t.withStatus(status, message, clock.getAsLong());
    store().put(changed);
    RunningTask live = running.get(id);
    if (live != null) live.changed(changed);
  }

  /** The admin view of the most recently changed tasks of every owner; none before the first. */
  public List<TaskRecord> recent(int limit) {
    TaskStore s = opened;
    return s == null ? List.of() : s.recent(limit);
  }

  /** Tasks by status; none while no task was ever stored (the store is not opened for it). */
  public Map<String, Integer> countByStatus() {
    TaskStore s = opened;
    return s == null ? Map.of() : s.countByStatus();
  }

  public int running() {
    return running.size();
  }

  @Override
  public void close() {
    synchronized (this) {
      if (purger != null) purger.shutdownNow();
    }
    TaskStore s = opened;
    if (s != null) s.close();
  }

  static ObjectNode errorJson(RpcError error) {
    ObjectNode e = Json.object().put("code", error.code()).put("message", error.message());
    if (error.data() != null) e.set("data", error.data());
    return e;
  }

  static String newId() {
    byte[] bytes = new byte[24];
    Ids.RANDOM.nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  static String shortId(String id) {
    return id.length() > 8 ? id.substring(0, 8) : id;
  }

  private static String digest(JsonNode arguments) {
    try {
      byte[] hash =
          MessageDigest.getInstance("SHA-256")
              .digest(arguments.toString().getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(hash);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
