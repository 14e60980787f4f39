package dev.tandem.supervisor.session;

import dev.tandem.supervisor.log.Log;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The calls waiting for a 2026-07-28 host to come back with input, by handle. A host that never
 * retries must not pin a worker forever: a call still waiting on the same round when its
 * requestState expires is cancelled on the worker and forgotten.
 */
final class SuspendedCalls {

  private final Map<String, SuspendedCall> byHandle = new ConcurrentHashMap<>();
  private final Duration ttl;

  SuspendedCalls(Duration ttl) {
    this.ttl = ttl;
  }

  Duration ttl() {
    return ttl;
  }

  SuspendedCall open() {
    byte[] id = new byte[12];
    Secure.RANDOM.nextBytes(id);
    SuspendedCall call = new SuspendedCall(HexFormat.of().formatHex(id));
    byHandle.put(call.handle, call);
    return call;
  }

  SuspendedCall find(String handle) {
    return byHandle.get(handle);
  }

  void close(SuspendedCall call) {
    byHandle.remove(call.handle, call);
  }

  /** Called when a turn ended with questions: the host has until the state expires to answer. */
  void awaitRetry(SuspendedCall call) {
    int round = call.round();
    CompletableFuture.runAsync(
        () -> {
          if (byHandle.get(call.handle) == call && call.round() == round) {
            Log.info("a 2026-07-28 call waited " + ttl.toSeconds() + " s for the host's input and was cancelled");
            close(call);
            call.cancel("the host did not send the requested input before its requestState expired");
          }
        },
        CompletableFuture.delayedExecutor(ttl.toMillis(), TimeUnit.MILLISECONDS));
  }
}
