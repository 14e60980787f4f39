package dev.tandem.supervisor.worker;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.protocol.Decoded;
import dev.tandem.protocol.EnvelopeDecoder;
import dev.tandem.protocol.FrameReader;
import dev.tandem.protocol.Json;
import dev.tandem.protocol.Message;
import dev.tandem.protocol.MessageCodec;
import dev.tandem.protocol.ProtocolVersions;
import dev.tandem.protocol.RpcError;
import dev.tandem.protocol.Turn;
import dev.tandem.supervisor.log.Log;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The link to one worker: an MCP client on the pipes of its {@link WorkerProcess}, which it speaks
 * in the session era (one long-lived connection, its own request ids). Ids are the link's own
 * counter, so any number of host calls, from any number of sessions, can be in flight on one worker
 * without their ids colliding; the router maps them back. Answers complete the pending calls here;
 * what the worker says unasked goes through {@link WorkerInbox}.
 */
public final class Worker implements WorkerLink {

  public enum State {
    STARTING,
    READY,
    STOPPING,
    DEAD
  }

  /**
   * A worker that spews garbage on its stdout would flood the log with one warning per line; the
   * first few say what is wrong, then one line per thousand keeps the count visible.
   */
  private static final int GARBAGE_LOGGED_IN_FULL = 10;

  private final WorkerSpec spec;
  private final Events events;
  private final String clientVersion;
  private final WorkerProcess process;
  private final WorkerInbox inbox;

  /** One instance for every call's cancel, so a call allocates no lambda for it. */
  private final WorkerCall.Cancellation onCancel = this::cancelled;

  private final AtomicLong ids = new AtomicLong();

  /**
   * A tool call's result stays the bytes the worker sent, spliced into the host's frame: the daemon
   * only carries it. Answers to the link's own requests (initialize, lists, stats) become trees.
   */
  private final EnvelopeDecoder.Passthrough toolResults =
      new EnvelopeDecoder.Passthrough() {
        @Override
        public boolean result(JsonNode id) {
          WorkerCall call = id.canConvertToLong() ? pending.get(id.longValue()) : null;
          return call != null && call.method().equals("tools/call");
        }
      };

  private final Map<Long, WorkerCall> pending = new ConcurrentHashMap<>();
  private volatile State state = State.STARTING;
  private volatile JsonNode initializeResult;
  private final AtomicLong callsServed = new AtomicLong();
  private final AtomicLong garbageFrames = new AtomicLong();

  /** {@code clientVersion}: what tandem calls itself in {@code initialize}. */
  public Worker(WorkerSpec spec, Events events, Spawner spawner, String clientVersion) {
    this.spec = spec;
    this.events = events;
    this.clientVersion = clientVersion;
    this.process = new WorkerProcess(spec, spawner, new ProcessOwner());
    this.inbox = new WorkerInbox(this, pending, events);
  }

  @Override
  public CompletableFuture<Worker> start() {
    return process
        .spawn()
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

  /** What the process tells its link. */
  private final class ProcessOwner implements WorkerProcess.Owner {
    @Override
    public void stdout(InputStream in) {
      readStdout(in);
    }

    @Override
    public boolean stopping() {
      return state == State.STOPPING || state == State.DEAD;
    }

    @Override
    public void died(ExitStatus status) {
      Worker.this.died(status);
    }
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
      call.result().completeExceptionally(deathOf(process.exitStatus(new ExitStatus(-1))));
      return call;
    }
    pending.put(id, call);
    ObjectNode sent = params;
    if (params != null && params.path("_meta").has("progressToken")) {
      sent = Json.withMeta(params, "progressToken", Json.NODES.numberNode(id));
    }
    // If the process is going away, the write fails quietly and its exit completes this call.
    process.send(
        MessageCodec.encodeInScratch(new Message.Request(Json.NODES.numberNode(id), method, sent)),
        call);
    return call;
  }

  public void notify(String method, ObjectNode params) {
    if (state != State.DEAD) send(new Message.Notification(method, params));
  }

  private void send(Message message) {
    process.send(MessageCodec.encodeInScratch(message), null);
  }

  /** Answers a request the worker made (of a host, through {@link WorkerInbox}). */
  void reply(JsonNode id, JsonNode result, RpcError error) {
    if (state == State.DEAD) return;
    send(error == null ? new Message.Result(id, result) : new Message.Failure(id, error));
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
    FrameReader reader = new FrameReader(in, spec.maxFrameBytes(), true, toolResults);
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
      case Decoded.Invalid invalid -> garbage(invalid);
      // No Optional and lambda per answer: under C1 each capturing lambda is a runtime call.
      case Message.Result r -> {
        WorkerCall call = answered(r.id());
        if (call != null) {
          callsServed.incrementAndGet();
          process.readThrough(call.sentThrough);
          call.result().complete(r.result());
        }
      }
      case Message.Failure f -> {
        WorkerCall call = answered(f.id());
        if (call != null) {
          process.readThrough(call.sentThrough);
          call.result().completeExceptionally(new WorkerError(f.error()));
        }
      }
      case Message.Notification n -> inbox.notification(n);
      case Message.Request r -> inbox.request(r);
    }
  }

  private void garbage(Decoded.Invalid invalid) {
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

  /** The call waiting for this answer, or null (logged) when none is. */
  private WorkerCall answered(JsonNode id) {
    WorkerCall call = id != null && id.canConvertToLong() ? pending.remove(id.longValue()) : null;
    if (call == null) {
      Log.worker(
          Log.Level.DEBUG,
          spec.pool(),
          spec.index(),
          pid(),
          "answer to request " + id + ", which is no longer waiting (cancelled or unknown)");
    }
    return call;
  }

  /**
   * The process calls this once both pipes are read to their end, so the cause of a death (a
   * traceback printed just before exit) is in the stderr tail the callers' error carries.
   */
  private void died(ExitStatus status) {
    State before = state;
    state = State.DEAD;
    process.ended(status);
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
    inbox.died();
  }

  private WorkerDied deathOf(ExitStatus status) {
    return new WorkerDied(
        spec.label() + " (pid " + pid() + ") " + exitReason(status), status, stderrTail());
  }

  @Override
  public String exitReason(ExitStatus status) {
    return process.exitReason(status);
  }

  @Override
  public CompletableFuture<ExitStatus> stop(Duration grace) {
    if (state != State.DEAD) state = State.STOPPING;
    return process.stop(grace);
  }

  @Override
  public void kill(String reason) {
    process.kill(reason);
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
    return process.pid();
  }

  public int inFlight() {
    return pending.size();
  }

  public long callsServed() {
    return callsServed.get();
  }

  @Override
  public Instant startedAt() {
    return process.startedAt();
  }

  @Override
  public JsonNode initializeResult() {
    return initializeResult;
  }

  @Override
  public List<String> stderrTail() {
    return process.stderrTail();
  }
}
