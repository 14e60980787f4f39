package dev.tandem.supervisor.worker;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.protocol.Decoded;
import dev.tandem.protocol.Failures;
import dev.tandem.protocol.FrameReader;
import dev.tandem.protocol.Json;
import dev.tandem.protocol.Message;
import dev.tandem.protocol.MessageCodec;
import dev.tandem.protocol.ProtocolVersions;
import dev.tandem.protocol.RpcError;
import dev.tandem.protocol.Turn;
import dev.tandem.supervisor.log.Log;
import dev.tandem.supervisor.log.Secrets;
import dev.tandem.supervisor.process.Child;
import dev.tandem.supervisor.process.ChildSpec;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The link to one worker process: an MCP client on the child's stdin/stdout, which it speaks in the
 * session era (one long-lived connection, its own request ids). Ids are the link's own counter, so
 * any number of host calls, from any number of sessions, can be in flight on one worker without
 * their ids colliding; the router maps them back.
 *
 * <p>Three platform threads per worker: two, the {@link Child}'s, read its stdout (frames) and
 * stderr (log lines), so both pipes are always drained and a chatty worker never blocks on a full
 * pipe; one writes its stdin from a queue whenever a write might block ({@link StdinWriter}), so a
 * worker that stops reading (SIGSTOP, a deadlock) blocks only that thread, never a session's reader
 * or the supervisor's timers, which must stay free to kill it. A write that cannot block is made by
 * the sender itself. The queue is bounded in practice by the pool's admission: max_concurrency
 * calls and a ping.
 */
public final class Worker implements WorkerLink {

  public enum State {
    STARTING,
    READY,
    STOPPING,
    DEAD
  }

  /** How long a worker whose stdout ended may take to exit before it counts as hung. */
  private static final Duration STDOUT_CLOSED_GRACE = Duration.ofMillis(500);

  /**
   * A worker that spews garbage on its stdout would flood the log with one warning per line; the
   * first few say what is wrong, then one line per thousand keeps the count visible.
   */
  private static final int GARBAGE_LOGGED_IN_FULL = 10;

  private final WorkerSpec spec;
  private final Events events;
  private final Spawner spawner;
  private final String clientVersion;

  /** One instance for every call's cancel, so a call allocates no lambda for it. */
  private final WorkerCall.Cancellation onCancel = this::cancelled;

  /** Requests the worker made of a host, by the worker's id, so it can cancel them. */
  private final Map<JsonNode, CompletableFuture<JsonNode>> hostRequests = new ConcurrentHashMap<>();

  private final AtomicLong ids = new AtomicLong();
  private final Map<Long, WorkerCall> pending = new ConcurrentHashMap<>();
  private final StderrTail stderrTail = new StderrTail(40);
  private final CompletableFuture<ExitStatus> exited = new CompletableFuture<>();
  private volatile State state = State.STARTING;
  private volatile Child child;
  private final StdinWriter stdin = new StdinWriter(this::stdinClosed);
  private volatile JsonNode initializeResult;
  private volatile Instant startedAt;
  private final AtomicLong callsServed = new AtomicLong();
  private final AtomicLong garbageFrames = new AtomicLong();
  private volatile String killedBecause;
  private final AtomicBoolean deathHandled = new AtomicBoolean();

  /** {@code clientVersion}: what tandem calls itself in {@code initialize}. */
  public Worker(WorkerSpec spec, Events events, Spawner spawner, String clientVersion) {
    this.spec = spec;
    this.events = events;
    this.spawner = spawner;
    this.clientVersion = clientVersion;
  }

  @Override
  public CompletableFuture<Worker> start() {
    // The spec's env is all a worker gets (pool.WorkerEnvironment): none of the daemon's secrets.
    ChildSpec process =
        new ChildSpec(
            "worker-" + spec.pool() + "-" + spec.index(),
            spec.command(),
            ChildSpec.exactly(spec.env()),
            spec.workingDirectory());
    return spawner
        .spawn(process, new ProcessEvents())
        .thenCompose(
            c -> {
              ObjectNode params = Json.object();
              params.put("protocolVersion", ProtocolVersions.LATEST);
              // tandem stands in for every host: it can route sampling, elicitation and roots
              // to whichever host made the call, and refuses per call when that host cannot.
              ObjectNode capabilities = params.putObject("capabilities");
              capabilities.putObject("sampling");
              capabilities.putObject("elicitation").putObject("form");
              capabilities.putObject("roots");
              params.putObject("clientInfo").put("name", "tandem").put("version", clientVersion);
              return call("initialize", params, null).result();
            })
        .thenApply(
            result -> {
              initializeResult = result;
              notify("notifications/initialized", null);
              if (result.path("capabilities").has("logging")) {
                // Workers send every log line; each host session filters at its own level.
                call("logging/setLevel", Json.object().put("level", "debug"), null);
              }
              if (state == State.STARTING) state = State.READY;
              Log.worker(Log.Level.INFO, spec.pool(), spec.index(), pid(), "ready");
              return this;
            });
  }

  /** What the launcher tells this worker about its process, on the threads it names. */
  private final class ProcessEvents implements Child.Events {
    @Override
    public void started(Child c) {
      attach(c);
    }

    @Override
    public void stdout(InputStream in) {
      readStdout(in);
    }

    @Override
    public void stdoutEnded() {
      Worker.this.stdoutEnded();
    }

    @Override
    public void stderrLine(String line) {
      Worker.this.stderrLine(line);
    }

    @Override
    public void exited(int exitValue) {
      exitedWith(exitValue);
    }
  }

  private void attach(Child c) {
    this.child = c;
    if (state == State.STOPPING) {
      // stop() came while the process was being spawned: it must not outlive the daemon's intent.
      c.kill();
    }
    this.startedAt = Instant.now();
    stdin.attach(c.stdin());
    platformThread("in", stdin::run).start();
    Log.worker(
        Log.Level.DEBUG,
        spec.pool(),
        spec.index(),
        c.pid(),
        "started: " + String.join(" ", spec.command()));
  }

  private void exitedWith(int exitValue) {
    if (!deathHandled.compareAndSet(false, true)) return;
    try {
      died(new ExitStatus(exitValue));
    } catch (RuntimeException | Error e) {
      // Never let a death go unrecorded: shutdown and the pool wait on `exited`.
      Log.worker(
          Log.Level.ERROR, spec.pool(), spec.index(), pid(), "handling its exit failed: " + e);
      exited.complete(new ExitStatus(exitValue));
    }
  }

  /**
   * The worker's stdout ended, which for a process that dies happens as it dies; the launcher
   * reports the exit itself. A worker that closed its stdout and lives on can no longer answer
   * anything: it is killed, unless tandem is already stopping it.
   */
  private void stdoutEnded() {
    try {
      if (child.waitFor(STDOUT_CLOSED_GRACE)) return;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return;
    }
    if (state == State.STARTING || state == State.READY)
      kill("it closed its stdout but kept running");
  }

  private Thread platformThread(String stream, Runnable body) {
    Thread t = new Thread(body, "worker-" + spec.pool() + "-" + spec.index() + "-" + stream);
    t.setDaemon(true);
    return t;
  }

  /**
   * Sends a request. If its params carry a host's {@code _meta.progressToken}, the worker is given
   * this link's own id as the token instead: tokens from different sessions may collide, ours
   * cannot. {@code listener} hears progress, logs and host requests for the call.
   */
  @Override
  public WorkerCall call(String method, ObjectNode params, CallListener listener) {
    long id = ids.incrementAndGet();
    WorkerCall call = new WorkerCall(onCancel, id, method, listener);
    if (state == State.DEAD) {
      call.result().completeExceptionally(deathOf(exited.getNow(new ExitStatus(-1))));
      return call;
    }
    pending.put(id, call);
    ObjectNode sent = params;
    if (params != null && params.path("_meta").has("progressToken")) {
      sent = Json.withMeta(params, "progressToken", Json.NODES.numberNode(id));
    }
    // If the process is going away, the write fails quietly and its exit completes this call.
    stdin.send(
        MessageCodec.encodeInScratch(new Message.Request(Json.NODES.numberNode(id), method, sent)),
        call);
    return call;
  }

  public void notify(String method, ObjectNode params) {
    if (state != State.DEAD) send(new Message.Notification(method, params));
  }

  private void stdinClosed(IOException e) {
    Log.worker(
        Log.Level.DEBUG, spec.pool(), spec.index(), pid(), "stdin closed: " + e.getMessage());
  }

  private void send(Message message) {
    stdin.send(MessageCodec.encodeInScratch(message), null);
  }

  void cancelled(WorkerCall call, String reason) {
    if (pending.remove(call.id()) == null) return;
    ObjectNode params = Json.object().put("requestId", call.id());
    if (reason != null) params.put("reason", reason);
    notify("notifications/cancelled", params);
  }

  /**
   * Ends every request in flight now with {@code why} and tells the worker to stop each one: for a
   * shutdown whose grace ran out, so every caller is answered before the sessions close.
   */
  @Override
  public void abandonCalls(RuntimeException why) {
    for (WorkerCall call : List.copyOf(pending.values())) {
      if (call.result().completeExceptionally(why)) cancelled(call, why.getMessage());
    }
  }

  private void readStdout(InputStream in) {
    // A partial line a tool wrote must not swallow the answer written after it.
    FrameReader reader = new FrameReader(in, spec.maxFrameBytes(), true);
    // Answers that arrived in one read go out to their hosts in one write per host.
    Turn turn = Turn.begin();
    try {
      Decoded decoded;
      while ((decoded = reader.next()) != null) {
        try {
          dispatch(decoded);
        } catch (RuntimeException e) {
          Log.worker(
              Log.Level.ERROR, spec.pool(), spec.index(), pid(), "could not handle a frame: " + e);
        }
        if (!reader.hasBufferedFrame()) turn.end();
      }
    } catch (IOException e) {
      Log.worker(
          Log.Level.DEBUG, spec.pool(), spec.index(), pid(), "stdout closed: " + e.getMessage());
    } finally {
      turn.close();
    }
  }

  private void dispatch(Decoded decoded) {
    switch (decoded) {
      case Decoded.Blank b -> {}
      case Decoded.Invalid invalid -> {
        long n = garbageFrames.incrementAndGet();
        if (n <= GARBAGE_LOGGED_IN_FULL || n % 1000 == 0) {
          Log.worker(
              Log.Level.WARN,
              spec.pool(),
              spec.index(),
              pid(),
              "wrote something on stdout that is not an MCP message ("
                  + invalid.reason()
                  + "); stdout is the wire: tools should log to stderr"
                  + (n == GARBAGE_LOGGED_IN_FULL
                      ? "; further ones are counted, one line per thousand"
                      : "")
                  + (n > GARBAGE_LOGGED_IN_FULL ? " (" + n + " so far)" : ""));
        }
      }
      case Message.Result r ->
          answered(r.id())
              .ifPresent(
                  call -> {
                    callsServed.incrementAndGet();
                    stdin.readThrough(call.sentThrough);
                    call.result().complete(r.result());
                  });
      case Message.Failure f ->
          answered(f.id())
              .ifPresent(
                  call -> {
                    stdin.readThrough(call.sentThrough);
                    call.result().completeExceptionally(new WorkerError(f.error()));
                  });
      case Message.Notification n -> onNotification(n);
      case Message.Request r -> onRequest(r);
    }
  }

  private java.util.Optional<WorkerCall> answered(JsonNode id) {
    WorkerCall call = id != null && id.canConvertToLong() ? pending.remove(id.longValue()) : null;
    if (call == null) {
      Log.worker(
          Log.Level.DEBUG,
          spec.pool(),
          spec.index(),
          pid(),
          "answer to request " + id + ", which is no longer waiting (cancelled or unknown)");
    }
    return java.util.Optional.ofNullable(call);
  }

  private void onNotification(Message.Notification n) {
    ObjectNode params = n.params() == null ? Json.object() : n.params();
    switch (n.method()) {
      case "notifications/progress" -> {
        JsonNode token = params.get("progressToken");
        WorkerCall call =
            token != null && token.canConvertToLong() ? pending.get(token.longValue()) : null;
        if (call != null) call.listener().progress(params);
      }
      case "notifications/message" -> {
        String level = params.path("level").asText("info");
        JsonNode data = params.get("data");
        String text = data == null ? "" : data.isTextual() ? data.asText() : data.toString();
        Log.worker(levelOf(level), spec.pool(), spec.index(), pid(), "log: " + text);
        WorkerCall call = owner(params);
        if (call != null) {
          ObjectNode forwarded = withoutTandemMeta(params);
          // The host's log gets the line as the daemon's log has it: known secrets redacted.
          if (data != null && data.isTextual()) {
            String redacted = Secrets.redact(text);
            if (redacted != text) forwarded = forwarded.deepCopy().put("data", redacted);
          }
          call.listener().log(forwarded);
        }
      }
      case "notifications/cancelled" -> {
        // The worker gave up on a request it made of a host (its tool call was cancelled).
        CompletableFuture<JsonNode> asked = hostRequests.remove(params.path("requestId"));
        if (asked != null) asked.cancel(false);
      }
      case "notifications/tools/list_changed",
          "notifications/prompts/list_changed",
          "notifications/resources/list_changed" ->
          events.listChanged(this, n.method());
      case "notifications/resources/updated" -> events.resourceUpdated(this, params);
      default ->
          Log.worker(
              Log.Level.DEBUG, spec.pool(), spec.index(), pid(), "notification " + n.method());
    }
  }

  /**
   * A server-to-client request (sampling, elicitation, roots) goes to the host whose call caused
   * it: the tandem runtime names that call in {@code _meta["tandem/callId"]}; for a server that
   * does not, the only call in flight is the cause, and with several there is no telling.
   */
  private void onRequest(Message.Request r) {
    ObjectNode params = r.params() == null ? Json.object() : r.params();
    WorkerCall call = owner(params);
    if (call == null) {
      reply(
          r.id(),
          null,
          new RpcError(
              RpcError.INTERNAL_ERROR,
              r.method()
                  + " cannot be routed: it names no call in _meta[\"tandem/callId\"] and "
                  + pending.size()
                  + " calls are in flight on this worker",
              null));
      return;
    }
    CompletableFuture<JsonNode> asked =
        call.listener().hostRequest(r.method(), withoutTandemMeta(params));
    hostRequests.put(r.id(), asked);
    asked.whenComplete(
        (result, failure) -> {
          hostRequests.remove(r.id());
          Throwable cause = failure == null ? null : Failures.cause(failure);
          // Cancelled: the worker withdrew the request, or its call was cancelled; no answer is
          // owed.
          if (cause instanceof CancellationException) return;
          if (cause == null) {
            reply(r.id(), result, null);
          } else {
            reply(
                r.id(),
                null,
                cause instanceof WorkerError e
                    ? e.error()
                    : RpcError.internal(r.method() + " failed: " + cause.getMessage()));
          }
        });
  }

  private WorkerCall owner(ObjectNode params) {
    JsonNode callId = params.path("_meta").get("tandem/callId");
    if (callId != null && callId.canConvertToLong()) return pending.get(callId.longValue());
    if (callId != null && callId.isTextual()) {
      try {
        return pending.get(Long.parseLong(callId.asText()));
      } catch (NumberFormatException e) {
        return null;
      }
    }
    if (pending.size() == 1) {
      for (WorkerCall only : pending.values()) return only;
    }
    return null;
  }

  /**
   * The routing key is ours, not the host's business. A shallow copy: the rest of the message (a
   * log line's data, a sampling request's messages) is shared, as nothing downstream mutates it.
   */
  private static ObjectNode withoutTandemMeta(ObjectNode params) {
    if (!(params.get("_meta") instanceof ObjectNode meta) || !meta.has("tandem/callId"))
      return params;
    ObjectNode copy = Json.object();
    copy.setAll(params);
    ObjectNode copyMeta = Json.object();
    copyMeta.setAll(meta);
    copyMeta.remove("tandem/callId");
    if (copyMeta.isEmpty()) copy.remove("_meta");
    else copy.set("_meta", copyMeta);
    return copy;
  }

  private void reply(JsonNode id, JsonNode result, RpcError error) {
    if (state == State.DEAD) return;
    send(error == null ? new Message.Result(id, result) : new Message.Failure(id, error));
  }

  private static Log.Level levelOf(String mcpLevel) {
    return switch (mcpLevel) {
      case "debug" -> Log.Level.DEBUG;
      case "info", "notice" -> Log.Level.INFO;
      case "warning" -> Log.Level.WARN;
      default -> Log.Level.ERROR;
    };
  }

  private void stderrLine(String text) {
    stderrTail.add(text);
    Log.worker(Log.Level.INFO, spec.pool(), spec.index(), pid(), "stderr: " + text);
  }

  /**
   * The launcher calls this once both pipes are read to their end, so the cause of a death (a
   * traceback printed just before exit) is in the stderr tail the callers' error carries.
   */
  private void died(ExitStatus status) {
    State before = state;
    state = State.DEAD;
    stdin.close(true);
    exited.complete(status);
    Log.Level level = before == State.STOPPING ? Log.Level.INFO : Log.Level.WARN;
    Log.worker(level, spec.pool(), spec.index(), pid(), status.describe());
    // The pool hears first, so a warm spare takes the dead worker's place before its calls fail:
    // a call retried on death then lands on the spare at once instead of waiting in the queue.
    events.exited(this, status);
    WorkerDied death = deathOf(status);
    for (Long id : List.copyOf(pending.keySet())) {
      WorkerCall call = pending.remove(id);
      if (call != null) call.result().completeExceptionally(death);
    }
    for (CompletableFuture<JsonNode> asked : List.copyOf(hostRequests.values()))
      asked.cancel(false);
    hostRequests.clear();
  }

  private WorkerDied deathOf(ExitStatus status) {
    return new WorkerDied(
        spec.label() + " (pid " + pid() + ") " + exitReason(status), status, stderrTail.snapshot());
  }

  /** How it ended, in words: the exit status, or why tandem killed it. */
  @Override
  public String exitReason(ExitStatus status) {
    return killedBecause == null
        ? status.describe()
        : "was killed by tandem with SIGKILL: " + killedBecause;
  }

  /**
   * Stops the process the way the MCP stdio transport says: close its stdin and wait, then SIGTERM
   * and wait, then SIGKILL. Completes once it is gone with what its tools started.
   */
  @Override
  public CompletableFuture<ExitStatus> stop(Duration grace) {
    if (state != State.DEAD) state = State.STOPPING;
    Child c = child;
    if (c == null) return CompletableFuture.completedFuture(new ExitStatus(0));
    stdin.close(false); // after the frames already queued, so a last notification still arrives
    CompletableFuture<ExitStatus> gone = c.gone().thenCompose(value -> exited);
    return gone.copy()
        .completeOnTimeout(null, grace.toMillis(), TimeUnit.MILLISECONDS)
        .thenCompose(
            done -> {
              if (done != null) return gone;
              Log.worker(
                  Log.Level.WARN,
                  spec.pool(),
                  spec.index(),
                  pid(),
                  "did not exit after stdin closed; sending SIGTERM");
              c.terminate();
              return gone.copy()
                  .completeOnTimeout(null, 2, TimeUnit.SECONDS)
                  .thenCompose(
                      d2 -> {
                        if (d2 != null) return gone;
                        Log.worker(
                            Log.Level.WARN,
                            spec.pool(),
                            spec.index(),
                            pid(),
                            "ignored SIGTERM; sending SIGKILL");
                        c.kill();
                        return gone;
                      });
            });
  }

  /**
   * SIGKILL now: for a worker that is unresponsive or must not finish what it is doing. The reason
   * goes into the error every caller still waiting on it gets.
   */
  @Override
  public void kill(String reason) {
    if (killedBecause == null) killedBecause = reason;
    Log.worker(Log.Level.WARN, spec.pool(), spec.index(), pid(), "killing it (SIGKILL): " + reason);
    Child c = child;
    if (c != null) c.kill();
  }

  /** Whether the worker answers {@code tandem/stats}, as its initialize result announces. */
  @Override
  public boolean speaksStats() {
    JsonNode init = initializeResult;
    return init != null
        && init.path("capabilities").path("experimental").path("tandem").has("stats");
  }

  /** Lines on stdout that were not MCP messages: a count an operator can watch. */
  @Override
  public long garbageFrames() {
    return garbageFrames.get();
  }

  @Override
  public WorkerSpec spec() {
    return spec;
  }

  @Override
  public State state() {
    return state;
  }

  @Override
  public long pid() {
    Child c = child;
    return c == null ? -1 : c.pid();
  }

  public int inFlight() {
    return pending.size();
  }

  public long callsServed() {
    return callsServed.get();
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
  public List<String> stderrTail() {
    return stderrTail.snapshot();
  }
}
