package dev.tandem.supervisor.transport.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.protocol.Json;
import dev.tandem.protocol.Message;
import dev.tandem.supervisor.log.Log;
import dev.tandem.supervisor.session.Session;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One {@code Mcp-Session-Id}: an MCP {@link Session} whose way back to the client is a set of
 * streams. A message the session sends names the host request it belongs to ({@code relatedTo}); it
 * goes on that request's own stream, as the transport page asks ("messages SHOULD relate to the
 * originating client request"), and only there. A message that belongs to no request, or whose
 * request's stream is gone, goes on the session's GET stream, except an answer: the GET stream
 * "MUST NOT" carry responses, so an answer whose stream is gone is dropped. Nothing here can reach
 * another session: each session routes only through its own sinks.
 */
final class HttpSession {

  private final String id;

  /**
   * Who opened it ({@link HttpSessions#principalOf}): the session table's limits are per principal.
   */
  private final String principal;

  private final String label;
  private final Session session;
  private final SerialExecutor inbox;
  private final Map<JsonNode, AnswerSink> sinks = new ConcurrentHashMap<>();
  private final AtomicReference<SseStream> standalone = new AtomicReference<>();
  private volatile long lastActive = System.nanoTime();
  private volatile boolean closed;

  HttpSession(String id, String principal, SessionFactory factory) {
    this.id = id;
    this.principal = principal;
    // The id is the client's credential for this session: logs name it by a prefix only.
    String name = "http-" + id.substring(0, 8);
    this.label = "session=" + name;
    this.inbox = new SerialExecutor();
    this.session = factory.open(name, this::route);
  }

  String id() {
    return id;
  }

  String label() {
    return label;
  }

  String principal() {
    return principal;
  }

  long lastActive() {
    return lastActive;
  }

  /**
   * Hands a request to the session with the sink its messages go to; false when a request with that
   * id is already in flight here (JSON-RPC ids are unique per session, and the answer could not
   * tell the two apart).
   */
  boolean request(Message.Request request, AnswerSink sink) {
    if (closed || sinks.putIfAbsent(request.id(), sink) != null) return false;
    inbox.execute(
        () -> {
          if (!closed) session.receive(request);
        });
    return true;
  }

  /** Runs {@code initialize}; completes with its answer, a result or an error. */
  CompletableFuture<Message> initialize(Message.Request request) {
    CompletableFuture<Message> answer = new CompletableFuture<>();
    sinks.put(
        request.id(),
        new AnswerSink() {
          @Override
          public boolean offer(Message message) {
            return message instanceof Message.Response && answer.complete(message);
          }

          @Override
          public void end() {
            answer.cancel(false);
          }
        });
    inbox.execute(() -> session.receive(request));
    return answer;
  }

  /** A notification or a response from the client: nothing is sent back for it. */
  void deliver(Message message) {
    inbox.execute(
        () -> {
          if (closed) return;
          session.receive(message);
          if (message instanceof Message.Notification n
              && n.method().equals("notifications/cancelled")) {
            // A cancelled request gets no answer, so its stream would stay open forever: end it.
            JsonNode requestId = n.params() == null ? null : n.params().get("requestId");
            AnswerSink sink = requestId == null ? null : sinks.remove(requestId);
            if (sink != null) sink.end();
          }
        });
  }

  /** Takes {@code stream} as the session's GET stream; false when it already has one. */
  boolean openStandalone(SseStream stream) {
    return !closed && standalone.compareAndSet(null, stream);
  }

  void standaloneGone(SseStream stream) {
    standalone.compareAndSet(stream, null);
  }

  /**
   * The request's stream or response is gone; its call goes on (a disconnection is not a
   * cancellation).
   */
  void detach(JsonNode requestId, AnswerSink sink) {
    sinks.remove(requestId, sink);
  }

  /**
   * The client stopped reading the request's stream, which was closed: its answer can never arrive,
   * so the call stops.
   */
  void stalled(JsonNode requestId) {
    ObjectNode params = Json.object();
    params.set("requestId", requestId);
    params.put("reason", "the client stopped reading the request's SSE stream");
    inbox.execute(
        () -> {
          if (!closed) session.receive(new Message.Notification("notifications/cancelled", params));
        });
  }

  private void route(Message message, JsonNode relatedTo) {
    if (closed) return;
    boolean isAnswer =
        message instanceof Message.Response r && relatedTo != null && relatedTo.equals(r.id());
    AnswerSink sink = relatedTo == null ? null : sinks.get(relatedTo);
    if (sink != null) {
      if (isAnswer) sinks.remove(relatedTo, sink);
      if (sink.offer(message)) {
        if (isAnswer) sink.end();
        return;
      }
    }
    if (message instanceof Message.Response) {
      Log.debug(label + " dropped the answer to request " + relatedTo + ": its stream is gone");
      return;
    }
    SseStream stream = standalone.get();
    if (stream == null || !stream.offer(message)) {
      Log.debug(label + " dropped a " + describe(message) + ": no stream is open to carry it");
    }
  }

  void touch() {
    lastActive = System.nanoTime();
  }

  /** Nothing open, nothing running, and no request for longer than {@code idle}. */
  boolean idleLongerThan(Duration idle) {
    return sinks.isEmpty()
        && standalone.get() == null
        && session.inFlight() == 0
        && System.nanoTime() - lastActive > idle.toNanos();
  }

  int inFlight() {
    return session.inFlight();
  }

  CompletableFuture<Void> drained() {
    return session.drained();
  }

  /**
   * Ends the session: its calls are cancelled on the workers, its streams end, nothing more is
   * sent.
   */
  void close(String why) {
    if (closed) return;
    closed = true;
    inbox.execute(session::close);
    for (JsonNode requestId : sinks.keySet()) {
      AnswerSink sink = sinks.remove(requestId);
      if (sink != null) sink.end();
    }
    SseStream stream = standalone.getAndSet(null);
    if (stream != null) stream.end();
    Log.info(label + " closed: " + why);
  }

  boolean isClosed() {
    return closed;
  }

  private static String describe(Message message) {
    return switch (message) {
      case Message.Request r -> "request " + r.method();
      case Message.Notification n -> "notification " + n.method();
      case Message.Response r -> "response";
    };
  }
}
