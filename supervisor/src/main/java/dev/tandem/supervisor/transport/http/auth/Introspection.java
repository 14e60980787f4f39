package dev.tandem.supervisor.transport.http.auth;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tandem.supervisor.log.Log;
import dev.tandem.supervisor.session.Principal;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * Opaque access tokens, asked about through RFC 7662 introspection with tandem's own client
 * credentials ({@code client_secret_basic}). An active answer is cached until the token's {@code
 * exp}, at most {@link #MAX_CACHE_S}, so a revoked token stops working within that bound while a
 * busy client costs the authorization server one call per token, not per request. The cache holds
 * at most {@link #MAX_ENTRIES} tokens, keyed by their SHA-256 (never the token), least recently
 * used evicted first. The same claim rules as for JWTs apply to the answer: issuer, expiry and
 * audience.
 */
final class Introspection {

  static final long MAX_CACHE_S = 300;
  static final int MAX_ENTRIES = 10_000;

  private record Cached(Principal principal, Instant until) {}

  private final String issuer;
  private final String audience;
  private final Supplier<CompletableFuture<URI>> endpoint;
  private final String authorization;
  private final Clock clock;
  private final Map<String, Cached> cache =
      new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Cached> eldest) {
          return size() > MAX_ENTRIES;
        }
      };

  Introspection(
      String issuer,
      String audience,
      Supplier<CompletableFuture<URI>> endpoint,
      String clientId,
      String clientSecret,
      Clock clock) {
    this.issuer = issuer;
    this.audience = audience;
    this.endpoint = endpoint;
    this.authorization =
        clientId == null
            ? null
            : "Basic "
                + Base64.getEncoder()
                    .encodeToString(
                        (form(clientId) + ":" + form(clientSecret == null ? "" : clientSecret))
                            .getBytes(StandardCharsets.UTF_8));
    this.clock = clock;
  }

  CompletableFuture<Principal> verify(String token) {
    String key = digest(token);
    Instant now = clock.instant();
    synchronized (cache) {
      Cached hit = cache.get(key);
      if (hit != null) {
        if (hit.until().isAfter(now)) return CompletableFuture.completedFuture(hit.principal());
        cache.remove(key);
      }
    }
    return endpoint
        .get()
        .thenCompose(
            uri ->
                AuthHttp.postForm(
                        uri,
                        "token=" + form(token) + "&token_type_hint=access_token",
                        authorization)
                    .handle(
                        (answer, failure) -> {
                          if (failure != null) {
                            String why = AuthHttp.reason(failure);
                            Log.warn("oauth: cannot introspect a token at " + uri + ": " + why);
                            throw TokenRefused.unavailable(
                                "the authorization server cannot be asked about the token ("
                                    + why
                                    + ")");
                          }
                          return principal(uri, answer);
                        }))
        .thenApply(
            p -> {
              Instant until = clock.instant().plusSeconds(MAX_CACHE_S);
              if (p.expiresAt() != null && p.expiresAt().isBefore(until)) until = p.expiresAt();
              synchronized (cache) {
                cache.put(key, new Cached(p, until));
              }
              return p;
            });
  }

  private Principal principal(URI uri, AuthHttp.Answer answer) {
    JsonNode body = answer.body();
    // An inactive token is answered 200 {"active": false} (RFC 7662 §2.2); some servers (the
    // TypeScript SDK's demo) answer it with an error status and the same body.
    if (body != null && body.path("active").isBoolean() && !body.path("active").booleanValue()) {
      throw TokenRefused.invalid(
          "the authorization server says the token is not active (expired, revoked or unknown)");
    }
    if (answer.status() != 200 || body == null || !body.path("active").asBoolean(false)) {
      Log.warn(
          "oauth: introspection at "
              + uri
              + " answered HTTP "
              + answer.status()
              + (answer.status() == 401
                  ? "; check [http.auth] client_id and its secret"
                  : "; expected 200 with {\"active\": ...}"));
      throw TokenRefused.unavailable(
          "the authorization server's introspection answered HTTP " + answer.status());
    }
    String iss = body.path("iss").asText(null);
    if (iss != null && !Issuers.same(issuer, iss)) {
      throw TokenRefused.invalid(
          "the token was issued by \"" + iss + "\", not by \"" + issuer + "\"");
    }
    Instant now = clock.instant();
    Instant exp = body.has("exp") ? Instant.ofEpochSecond(body.path("exp").asLong()) : null;
    if (exp != null && exp.plusSeconds(JwtAccessTokens.LEEWAY_S).isBefore(now)) {
      throw TokenRefused.invalid("the token expired at " + exp + "; get a new one");
    }
    if (body.has("nbf")
        && Instant.ofEpochSecond(body.path("nbf").asLong())
            .minusSeconds(JwtAccessTokens.LEEWAY_S)
            .isAfter(now)) {
      throw TokenRefused.invalid("the token is not valid yet (nbf)");
    }
    Set<String> aud = new LinkedHashSet<>();
    JsonNode a = body.path("aud");
    if (a.isTextual()) aud.add(a.asText());
    if (a.isArray()) for (JsonNode item : a) aud.add(item.asText());
    if (!aud.contains(audience)) {
      throw TokenRefused.invalid(
          "the token is for "
              + (aud.isEmpty() ? "no audience" : aud)
              + ", not for this server (\""
              + audience
              + "\"); ask the authorization server for a token with resource="
              + audience);
    }
    Set<String> scopes = new LinkedHashSet<>();
    for (String s : body.path("scope").asText("").trim().split("\\s+"))
      if (!s.isEmpty()) scopes.add(s);
    String clientId = body.path("client_id").asText(null);
    String subject = body.path("sub").asText(body.path("username").asText(clientId));
    if (subject == null) throw TokenRefused.invalid("the introspection answer names no subject");
    return new Principal(issuer, subject, clientId, scopes, exp);
  }

  private static String form(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  private static String digest(String token) {
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java runtime has SHA-256", e);
    }
  }
}
