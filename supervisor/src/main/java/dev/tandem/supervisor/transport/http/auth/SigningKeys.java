package dev.tandem.supervisor.transport.http.auth;

import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import dev.tandem.supervisor.log.Log;
import java.net.URI;
import java.text.ParseException;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * The authorization server's signing keys (its JWKS), cached. A token whose {@code kid} is not in
 * the cache makes one refetch (the server rotated its keys), coalesced with any already running,
 * and at most one per {@link #UNKNOWN_KID_REFETCH_MS} so a stream of forged {@code kid}s cannot
 * turn tandem into a flood against the server. Keys are refetched in the background once {@link
 * #MAX_AGE_MS} old. When the server cannot be reached the cached keys stay in use: tokens signed
 * with them keep working through an outage; only a key never seen is answered 503.
 */
final class SigningKeys {

  static final long UNKNOWN_KID_REFETCH_MS = 1_000;
  static final long MAX_AGE_MS = 10 * 60_000;

  private final Supplier<CompletableFuture<URI>> location;
  private final Clock clock;
  private volatile JWKSet keys;
  private volatile long fetchedAt;

  /** Whether the last fetch reached the server: a kid missing from a stale set is not "unknown". */
  private volatile boolean reachable = true;

  private long lastUnknownKidFetch = Long.MIN_VALUE / 2;
  private CompletableFuture<JWKSet> fetching;

  /** {@code location}: the JWKS URL, configured or read from the issuer's metadata. */
  SigningKeys(Supplier<CompletableFuture<URI>> location, Clock clock) {
    this.location = location;
    this.clock = clock;
  }

  /**
   * The key {@code kid} names (or the only key, when the token names none); fails with {@link
   * TokenRefused}: {@code INVALID} for a key the server does not publish, {@code UNAVAILABLE} when
   * it cannot be asked.
   */
  CompletableFuture<JWK> key(String kid) {
    JWKSet set = keys;
    long now = clock.millis();
    if (set != null) {
      JWK found = find(set, kid);
      if (found != null) {
        if (now - fetchedAt > MAX_AGE_MS) refetch(false);
        return CompletableFuture.completedFuture(found);
      }
    }
    return refetch(set != null)
        .thenApply(
            fresh -> {
              JWK found = find(fresh, kid);
              if (found == null && !reachable) {
                throw TokenRefused.unavailable(
                    "the token is signed with a key not cached, and the authorization server cannot be reached to fetch it");
              }
              if (found == null) {
                throw TokenRefused.invalid(
                    "the token is signed with key "
                        + (kid == null ? "(no kid)" : "\"" + kid + "\"")
                        + ", which the authorization server does not publish");
              }
              return found;
            });
  }

  private static JWK find(JWKSet set, String kid) {
    if (kid != null) return set.getKeyByKeyId(kid);
    List<JWK> keys = set.getKeys();
    return keys.size() == 1 ? keys.get(0) : null;
  }

  private synchronized CompletableFuture<JWKSet> refetch(boolean forUnknownKid) {
    if (fetching != null) return fetching;
    long now = clock.millis();
    if (forUnknownKid) {
      if (now - lastUnknownKidFetch < UNKNOWN_KID_REFETCH_MS)
        return CompletableFuture.completedFuture(keys);
      lastUnknownKidFetch = now;
    }
    CompletableFuture<JWKSet> f = location.get().thenCompose(SigningKeys::download);
    fetching =
        f.handle(
            (set, failure) -> {
              synchronized (this) {
                fetching = null;
              }
              reachable = failure == null;
              if (failure == null) {
                keys = set;
                fetchedAt = clock.millis();
                return set;
              }
              JWKSet cached = keys;
              String why = AuthHttp.reason(failure);
              Log.warn(
                  "oauth: cannot fetch the authorization server's signing keys: "
                      + why
                      + (cached == null
                          ? "; every token is answered 503 until it can"
                          : "; the "
                              + cached.getKeys().size()
                              + " cached keys stay in use, tokens signed with others are answered 503"));
              if (cached != null && !forUnknownKid) return cached;
              throw TokenRefused.unavailable(
                  "the authorization server's signing keys cannot be fetched (" + why + ")");
            });
    return fetching;
  }

  static CompletableFuture<JWKSet> download(URI uri) {
    return AuthHttp.get(uri)
        .thenApply(
            answer -> {
              if (answer.status() != 200 || answer.body() == null) {
                throw TokenRefused.unavailable(uri + " answered HTTP " + answer.status());
              }
              try {
                return JWKSet.parse(answer.body().toString());
              } catch (ParseException e) {
                throw TokenRefused.unavailable(uri + " is not a JWK set: " + e.getMessage());
              }
            });
  }
}
