package dev.tandem.supervisor.session;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.protocol.Json;
import dev.tandem.protocol.ModernEra;
import dev.tandem.protocol.RpcError;
import dev.tandem.supervisor.router.HostLink;
import dev.tandem.supervisor.router.RoutedCall;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.function.BiFunction;
import java.util.function.Consumer;

/**
 * The 2026-07-28 requests whose call may need the host's input (tools/call, prompts/get,
 * resources/read): a first request starts the call, and each turn ends with the answer or with an
 * {@code input_required} result whose requestState a retry brings back to resume it ({@link
 * SuspendedCall}, {@link RequestState}).
 */
final class RoundTrips {

  private final RequestState states;
  private final SuspendedCalls suspended;
  private final Consumer<CompletableFuture<?>> tracker;

  /** {@code tracker} is told of every turn being answered, for a shutdown to drain. */
  RoundTrips(Duration inputTtl, StateKeys keys, Consumer<CompletableFuture<?>> tracker) {
    this.states = new RequestState(Clock.systemUTC(), keys);
    this.suspended = new SuspendedCalls(inputTtl);
    this.tracker = tracker;
  }

  /**
   * A request that may need the host's input: the first one starts the call, a retry with {@code
   * requestState} resumes it with {@code inputResponses}.
   */
  RoutedCall start(ModernRequest r, BiFunction<ObjectNode, HostLink, RoutedCall> start) {
    ObjectNode params = r.request.params();
    JsonNode token = params.get("requestState");
    JsonNode responses = params.get("inputResponses");
    SuspendedCall call = null;
    JsonNode carried = null;
    if (token != null) {
      if (!token.isTextual()) {
        r.fail(RpcError.invalidParams("requestState must be the string tandem returned"));
        return null;
      }
      if (responses != null && !responses.isObject()) {
        r.fail(
            RpcError.invalidParams(
                "inputResponses must be an object of results keyed like inputRequests"));
        return null;
      }
      RequestState.Claims claims;
      try {
        claims = states.verify(token.asText(), r.request.method(), params, r.principal());
      } catch (RequestState.Rejected e) {
        r.fail(RpcError.invalidParams(e.getMessage()));
        return null;
      }
      call = suspended.find(claims.handle());
      if (call == null && suspended.issuedHere(claims.handle())) {
        r.fail(
            RpcError.invalidParams(
                "requestState refers to a call that has already finished or expired; start the request again without it"));
        return null;
      }
      if (call != null && claims.round() != call.round()) {
        r.fail(
            RpcError.invalidParams(
                "requestState was already used; send the requestState of the latest input_required result"));
        return null;
      }
      // Not ours: issued by another replica sharing the key (or by this one before a restart).
      // The call runs again from the start, its questions answered from the answers of the
      // earlier rounds that the token carries and from this retry's.
      if (call == null) carried = claims.answers();
    }
    CompletableFuture<SuspendedCall.Turn> turn;
    if (call != null) {
      call.host(r);
      turn = call.resume(responses);
    } else {
      // inputResponses without a requestState answer questions not asked yet: the call starts
      // afresh and a question under one of their keys is answered from them at once.
      call = suspended.open();
      call.host(r);
      call.prefill(carried);
      call.prefill(responses);
      call.attach(start.apply(forWorker(params, responses != null || token != null), r.link(call)));
      turn = call.firstTurn();
    }
    SuspendedCall running = call;
    tracker.accept(
        turn.whenComplete(
            (t, failure) -> {
              switch (t) {
                case SuspendedCall.Turn.Done done -> {
                  suspended.close(running);
                  r.settle(
                      done.result(), done.failure(), r.request.method().equals("resources/read"));
                }
                case SuspendedCall.Turn.NeedsInput needs -> {
                  suspended.register(running);
                  ObjectNode result = Json.object();
                  result.put("resultType", "input_required");
                  result.set("inputRequests", needs.inputRequests());
                  result.put(
                      "requestState",
                      states.issue(
                          running.handle,
                          running.round(),
                          r.request.method(),
                          params,
                          r.principal(),
                          suspended.ttl().toMillis(),
                          running.answered()));
                  r.send(result);
                  suspended.awaitRetry(running);
                }
                case null -> r.settle(null, failure, false);
              }
            }));
    return new RoutedCall() {
      @Override
      public CompletableFuture<JsonNode> answer() {
        return turn.thenApply(t -> null);
      }

      @Override
      public void cancel(String reason) {
        suspended.close(running);
        running.cancel(reason);
      }
    };
  }

  /**
   * What the worker gets: the request's params without the round-trip fields, and without the
   * per-request {@code _meta} members that are the daemon's business (version, client name, log
   * level: ModernRequest applies the level). The worker reads the client's capabilities and the
   * progress token; a session's calls carry no more, and every byte more is written to a pipe and
   * parsed in Python on every call. Shallow copies: nothing downstream changes params
   * (Json.withMeta copies before it adds).
   */
  static ObjectNode forWorker(ObjectNode params, boolean roundTrip) {
    JsonNode meta = params.get("_meta");
    boolean daemonMeta =
        meta instanceof ObjectNode m
            && (m.has(ModernEra.PROTOCOL_VERSION)
                || m.has(ModernEra.CLIENT_INFO)
                || m.has(ModernEra.LOG_LEVEL));
    if (!roundTrip && !daemonMeta) return params;
    ObjectNode out = Json.object().setAll(params);
    out.remove("inputResponses");
    out.remove("requestState");
    if (daemonMeta) {
      ObjectNode workerMeta = Json.object().setAll((ObjectNode) meta);
      workerMeta.remove(ModernEra.PROTOCOL_VERSION);
      workerMeta.remove(ModernEra.CLIENT_INFO);
      workerMeta.remove(ModernEra.LOG_LEVEL);
      out.set("_meta", workerMeta);
    }
    return out;
  }

  /**
   * A task started by the round that answered an input_first tool's questions: the call that asked
   * them, still waiting for this retry, is over (the task's own call got the answers).
   */
  void retire(ObjectNode params, String principal) {
    JsonNode token = params.get("requestState");
    if (token == null || !token.isTextual()) return;
    try {
      SuspendedCall old =
          suspended.find(states.verify(token.asText(), "tools/call", params, principal).handle());
      if (old != null) {
        suspended.close(old);
        old.cancel("its answers started a task");
      }
    } catch (RequestState.Rejected e) {
      // not one of ours, or expired: nothing waits for it
    }
  }
}
