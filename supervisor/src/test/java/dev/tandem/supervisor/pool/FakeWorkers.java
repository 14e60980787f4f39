package dev.tandem.supervisor.pool;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.protocol.Json;
import dev.tandem.supervisor.worker.CallListener;
import dev.tandem.supervisor.worker.ExitStatus;
import dev.tandem.supervisor.worker.Worker;
import dev.tandem.supervisor.worker.WorkerCall;
import dev.tandem.supervisor.worker.WorkerDied;
import dev.tandem.supervisor.worker.WorkerLink;
import dev.tandem.supervisor.worker.WorkerSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A {@link WorkerFactory} of fake workers the test drives by hand: each is created "spawned" (a
 * pid, no process) and waits for the test to make it {@link Fake#ready}, {@link Fake#die} or {@link
 * Fake#failSpawn}. Lists, pings and stats are answered at once; every other call waits for {@link
 * Fake#answer}. Everything runs on the test's thread, so a pool event has happened when the method
 * that caused it returns.
 */
public final class FakeWorkers implements WorkerFactory {

  public final List<Fake> created = new CopyOnWriteArrayList<>();

  /** What the tools/list of workers created from now on answers. */
  public volatile List<String> tools = List.of("echo");

  /** Which of those tools say readOnlyHint, so the router may retry them on a death. */
  public volatile java.util.Set<String> readOnly = java.util.Set.of();

  @Override
  public WorkerLink create(WorkerSpec spec, WorkerLink.Events events) {
    Fake f = new Fake(spec, events, tools, readOnly);
    created.add(f);
    return f;
  }

  public Fake get(int index) {
    return created.get(index);
  }

  public Fake last() {
    return created.get(created.size() - 1);
  }

  public static final class Fake implements WorkerLink {
    private final WorkerSpec spec;
    private final WorkerLink.Events events;
    private final List<String> tools;
    private final java.util.Set<String> readOnly;
    private final CompletableFuture<Fake> started = new CompletableFuture<>();
    private final AtomicLong ids = new AtomicLong();
    final Map<Long, WorkerCall> pending = new ConcurrentHashMap<>();
    final List<String> cancelled = new CopyOnWriteArrayList<>();
    volatile Worker.State state = Worker.State.STARTING;
    volatile long pid = -1;
    volatile boolean startCalled;
    volatile Duration stoppedWith;
    volatile String killedBecause;
    volatile boolean stats;

    /** Stopped (SIGSTOP) or deadlocked: pings go unanswered. */
    volatile boolean silent;

    volatile long rssBytes = 1 << 20;
    volatile int stuckThreads;
    volatile long stuckForMs;
    private volatile JsonNode initializeResult;
    private volatile Instant startedAt;

    Fake(
        WorkerSpec spec,
        WorkerLink.Events events,
        List<String> tools,
        java.util.Set<String> readOnly) {
      this.spec = spec;
      this.events = events;
      this.tools = tools;
      this.readOnly = readOnly;
    }

    public int index() {
      return spec.index();
    }

    // ----------------------------------------------------------------- what the test does

    /** It answered initialize. */
    public void ready() {
      ObjectNode init = Json.object();
      ObjectNode caps = init.putObject("capabilities");
      caps.putObject("tools");
      if (stats) caps.putObject("experimental").putObject("tandem").putObject("stats");
      initializeResult = init;
      state = Worker.State.READY;
      started.complete(this);
    }

    /** Its program could not be run: there never was a process, so there will be no exit. */
    void failSpawn(String why) {
      pid = -1;
      started.completeExceptionally(new IllegalStateException(why));
    }

    /** Its process ended on its own with {@code code} (128 + n for signal n). */
    public void die(int code) {
      if (state == Worker.State.DEAD) return;
      state = Worker.State.DEAD;
      ExitStatus status = new ExitStatus(code);
      if (!started.isDone())
        started.completeExceptionally(new WorkerDied("exited before ready", status, List.of()));
      events.exited(this, status);
      WorkerDied death =
          new WorkerDied(
              spec.label() + " (pid " + pid + ") " + exitReason(status),
              status,
              List.of("Traceback: boom"));
      for (WorkerCall c : List.copyOf(pending.values())) c.result().completeExceptionally(death);
      pending.clear();
    }

    /** Answers the oldest call still waiting for {@code method}. */
    public void answer(String method, JsonNode result) {
      WorkerCall call =
          pending.values().stream()
              .filter(c -> c.method().equals(method))
              .min((a, b) -> Long.compare(a.id(), b.id()))
              .orElseThrow(() -> new AssertionError(method + " is not waiting on " + spec.label()));
      pending.remove(call.id());
      call.result().complete(result);
    }

    public long waiting(String method) {
      return pending.values().stream().filter(c -> c.method().equals(method)).count();
    }

    boolean stopped() {
      return stoppedWith != null;
    }

    // ------------------------------------------------------------------ what the pool does

    @Override
    public CompletableFuture<Fake> start() {
      startCalled = true;
      pid = 10_000 + spec.index();
      startedAt = Instant.now();
      return started;
    }

    @Override
    public WorkerCall call(String method, ObjectNode params, CallListener listener) {
      long id = ids.incrementAndGet();
      WorkerCall call =
          new WorkerCall(
              (c, reason) -> {
                pending.remove(c.id());
                cancelled.add(c.method());
              },
              id,
              method,
              listener);
      if (state == Worker.State.DEAD) {
        call.result().completeExceptionally(new WorkerDied("dead", new ExitStatus(1), List.of()));
        return call;
      }
      switch (method) {
        case "ping" -> {
          if (silent) pending.put(id, call);
          else call.result().complete(Json.object());
        }
        case "tandem/stats" ->
            call.result()
                .complete(
                    Json.object()
                        .put("rssBytes", rssBytes)
                        .put("stuckThreads", stuckThreads)
                        .put("stuckForMs", stuckForMs));
        case "tools/list" -> {
          ObjectNode result = Json.object();
          var list = result.putArray("tools");
          for (String t : tools) {
            ObjectNode tool = list.addObject().put("name", t);
            if (readOnly.contains(t)) tool.putObject("annotations").put("readOnlyHint", true);
          }
          call.result().complete(result);
        }
        default -> pending.put(id, call);
      }
      return call;
    }

    @Override
    public void abandonCalls(RuntimeException why) {
      for (WorkerCall c : List.copyOf(pending.values())) c.result().completeExceptionally(why);
      pending.clear();
    }

    /** A planned stop: the process exits at once, as a worker whose stdin closed does. */
    @Override
    public CompletableFuture<ExitStatus> stop(Duration grace) {
      stoppedWith = grace;
      if (pid > 0) die(0);
      return CompletableFuture.completedFuture(new ExitStatus(0));
    }

    @Override
    public void kill(String reason) {
      if (killedBecause == null) killedBecause = reason;
      die(128 + 9);
    }

    @Override
    public String exitReason(ExitStatus status) {
      return killedBecause == null
          ? status.describe()
          : "was killed by tandem with SIGKILL: " + killedBecause;
    }

    @Override
    public List<String> stderrTail() {
      return List.of("Traceback: boom");
    }

    @Override
    public WorkerSpec spec() {
      return spec;
    }

    @Override
    public Worker.State state() {
      return state;
    }

    @Override
    public long pid() {
      return pid;
    }

    @Override
    public Instant startedAt() {
      return startedAt;
    }

    @Override
    public JsonNode initializeResult() {
      return initializeResult;
    }

    @Override
    public boolean speaksStats() {
      return stats;
    }

    @Override
    public long garbageFrames() {
      return 0;
    }
  }
}
