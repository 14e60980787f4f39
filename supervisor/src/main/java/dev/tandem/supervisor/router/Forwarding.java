package dev.tandem.supervisor.router;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.protocol.Failures;
import dev.tandem.protocol.Json;
import dev.tandem.protocol.RpcError;
import dev.tandem.supervisor.log.Log;
import dev.tandem.supervisor.pool.Pool;
import dev.tandem.supervisor.pool.PoolCall;
import dev.tandem.supervisor.pool.PoolUnavailable;
import dev.tandem.supervisor.worker.CallListener;
import dev.tandem.supervisor.worker.WorkerDied;
import dev.tandem.supervisor.worker.WorkerError;
import java.time.Duration;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * Takes a request the router has checked to the pool its {@link PoolChoice} names, once the pools
 * serve: arms its deadline, sends it, retries it once when its worker dies and running it twice is
 * harmless, and turns what went wrong into the answer {@link Errors} gives.
 */
final class Forwarding {

  /**
   * Where a request goes, and whether running it twice is harmless: reads, prompts, completions and
   * tools annotated read-only or idempotent may be retried once if their worker dies.
   */
  record Target(Pool pool, boolean retryable) {}

  @FunctionalInterface
  interface PoolChoice {
    Target choose(Catalog catalog);
  }

  private final Router router;

  Forwarding(Router router) {
    this.router = router;
  }

  RoutedCall route(
      String method, ObjectNode params, HostLink host, PoolChoice choice, Errors errors) {
    ForwardedCall call = new ForwardedCall();
    if (!router.accepting()) {
      // Refused here, when it arrives; a request that came before the shutdown began is served
      // even if it is still waiting for the pools to start.
      try {
        call.answer.complete(
            errors.unavailable(
                new PoolUnavailable("tandem is shutting down and takes no new calls"), null));
      } catch (CallFailed e) {
        call.answer.completeExceptionally(e);
      }
      return call;
    }
    router
        .started()
        .whenComplete(
            (first, failure) -> {
              if (failure != null) {
                call.answer.completeExceptionally(
                    new CallFailed(
                        RpcError.internal(
                            "tandem is not serving: " + Failures.cause(failure).getMessage())));
                return;
              }
              Target target;
              try {
                target = choice.choose(router.current());
              } catch (CallFailed e) {
                call.answer.completeExceptionally(e);
                return;
              }
              Duration timeout = target.pool().callTimeout();
              Runnable cancelDeadline =
                  CallDeadline.arm(
                      () -> call.expire(method, target.pool(), timeout, errors), timeout);
              call.answer.whenComplete((r, f) -> cancelDeadline.run());
              send(call, method, params, target, listenerFor(params, host), errors, null);
            });
    return call;
  }

  /**
   * One attempt on the pool. A worker that dies under a request answers it with an error that says
   * so, unless running it again cannot do harm twice: then it is retried once, on whichever worker
   * is ready.
   */
  private void send(
      ForwardedCall call,
      String method,
      ObjectNode params,
      Target target,
      CallListener listener,
      Errors errors,
      WorkerDied earlier) {
    PoolCall onPool = target.pool().submit(method, params, listener);
    if (!call.attach(onPool)) return;
    onPool
        .result()
        .whenComplete(
            (result, failure) -> {
              if (failure == null) {
                if (earlier != null)
                  Log.info(
                      method
                          + " was retried on "
                          + ForwardedCall.describe(onPool.worker())
                          + " and answered");
                call.answer.complete(result);
                return;
              }
              // instanceof, not a pattern switch: its bootstrap spins a class the first time a
              // call fails, which would be a worker's first death, in the middle of the failover.
              Throwable cause = Failures.cause(failure);
              try {
                if (cause instanceof CancellationException) {
                  call.answer.cancel(false);
                } else if (cause instanceof WorkerError e) {
                  call.answer.completeExceptionally(new CallFailed(e.error()));
                } else if (cause instanceof PoolUnavailable u) {
                  call.answer.complete(errors.unavailable(u, earlier));
                } else if (cause instanceof WorkerDied d
                    && earlier == null
                    && target.retryable()
                    && !call.answer.isDone()) {
                  Log.warn(
                      d.getMessage()
                          + " during "
                          + method
                          + "; retrying it once on another worker");
                  send(call, method, params, target, listener, errors, d);
                } else if (cause instanceof WorkerDied d) {
                  call.diedWith(errors.workerDied(d, earlier, target.retryable()));
                } else {
                  call.answer.completeExceptionally(
                      new CallFailed(
                          RpcError.internal(method + " failed inside tandem: " + cause)));
                }
              } catch (CallFailed e) {
                call.answer.completeExceptionally(e);
              }
            });
  }

  /** What the worker says about this call goes to the host link, with the host's token put back. */
  private static CallListener listenerFor(ObjectNode params, HostLink host) {
    if (host == null) return CallListener.NONE;
    JsonNode hostToken = params == null ? null : params.path("_meta").get("progressToken");
    return new CallListener() {
      @Override
      public void progress(ObjectNode p) {
        if (hostToken == null) return;
        ObjectNode forHost = Json.object().setAll(p); // shallow: only the token changes
        forHost.set("progressToken", hostToken);
        host.progress(forHost);
      }

      @Override
      public void log(ObjectNode p) {
        host.log(p);
      }

      @Override
      public CompletableFuture<JsonNode> hostRequest(String method, ObjectNode p) {
        return host.request(method, p)
            .handle(
                (r, failure) -> {
                  if (failure == null) return r;
                  Throwable cause = Failures.cause(failure);
                  if (cause instanceof CallFailed f)
                    throw new CompletionException(new WorkerError(f.error()));
                  if (cause instanceof CancellationException c) throw c;
                  throw new CompletionException(cause);
                });
      }
    };
  }
}
