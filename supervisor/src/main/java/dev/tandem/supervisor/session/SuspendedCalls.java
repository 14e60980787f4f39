package dev.tandem.supervisor.session;

import dev.tandem.supervisor.log.Log;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The calls waiting for a 2026-07-28 host to come back with input, by handle. A host that never
 * retries must not pin a worker forever: a call still waiting on the same round when its
 * requestState expires is cancelled on the worker and forgotten.
 */
final class SuspendedCalls {

  private final Map<String, SuspendedCall> byHandle = new ConcurrentHashMap<>();
  private final Duration ttl;

  /**
   * Handles are a random prefix, drawn once, and a counter: unique in the process and never reused.
   * Every 2026-07-28 call opens one, and drawing 12 bytes from {@link Secure#RANDOM} for each was a
   * global lock (and a /dev/urandom read) on that call path, the most contended one in JFR under 50
   * stateless users. A handle needs no secrecy: it reaches the client only inside a requestState,
   * whose HMAC it cannot forge (RequestState).
   */
  private final AtomicLong counter = new AtomicLong();

  /** Drawn on the first 2026-07-28 call, not at start (see {@link Secure}). */
  private static final class Prefix {
    static final String VALUE = draw();

    private static String draw() {
      byte[] seed = new byte[8];
      Secure.RANDOM.nextBytes(seed);
      return HexFormat.of().formatHex(seed) + "-";
    }
  }

  SuspendedCalls(Duration ttl) {
    this.ttl = ttl;
  }

  Duration ttl() {
    return ttl;
  }

  /** A call for one host request; it gets a handle only if it ever asks the host something. */
  SuspendedCall open() {
    return new SuspendedCall(null);
  }

  /**
   * Makes {@code call} findable by its handle, before its first requestState is issued: only a call
   * that asks the host something pays for a handle and a map entry.
   */
  void register(SuspendedCall call) {
    if (call.handle != null) return;
    call.handle = Prefix.VALUE + Long.toHexString(counter.incrementAndGet());
    byHandle.put(call.handle, call);
    // Both fields are volatile: a close() that missed the handle is seen here, and undone.
    if (call.closed) byHandle.remove(call.handle, call);
  }

  /**
   * Whether this process issued {@code handle}: one it issued and no longer holds has finished or
   * expired; any other was issued by another replica (or before a restart) and can be replayed.
   */
  boolean issuedHere(String handle) {
    return handle.startsWith(Prefix.VALUE);
  }

  SuspendedCall find(String handle) {
    return byHandle.get(handle);
  }

  void close(SuspendedCall call) {
    call.closed = true;
    String handle = call.handle;
    if (handle != null) byHandle.remove(handle, call);
  }

  /** Called when a turn ended with questions: the host has until the state expires to answer. */
  void awaitRetry(SuspendedCall call) {
    int round = call.round();
    CompletableFuture.runAsync(
        () -> {
          if (byHandle.get(call.handle) == call && call.round() == round) {
            Log.info(
                "a 2026-07-28 call waited "
                    + ttl.toSeconds()
                    + " s for the host's input and was cancelled");
            close(call);
            call.cancel(
                "the host did not send the requested input before its requestState expired");
          }
        },
        CompletableFuture.delayedExecutor(ttl.toMillis(), TimeUnit.MILLISECONDS));
  }
}
