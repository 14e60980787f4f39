package dev.tandem.supervisor.transport.http.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.sun.net.httpserver.HttpServer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The JWKS cache against a real HTTP server on loopback, with the clock in the test's hands. */
class SigningKeysTest {

  HttpServer server;
  final AtomicInteger fetches = new AtomicInteger();
  final AtomicReference<JWKSet> published = new AtomicReference<>();
  final MutableClock clock = new MutableClock();
  SigningKeys keys;

  static final class MutableClock extends Clock {
    Instant now = Instant.parse("2026-12-07T20:00:00Z");

    @Override
    public java.time.ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }

  static RSAKey key(String kid) throws Exception {
    return new RSAKeyGenerator(2048).keyID(kid).generate();
  }

  @BeforeEach
  void start() throws Exception {
    published.set(new JWKSet(key("k1").toPublicJWK()));
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext(
        "/jwks",
        exchange -> {
          fetches.incrementAndGet();
          byte[] body = published.get().toString().getBytes(StandardCharsets.UTF_8);
          exchange.getResponseHeaders().set("Content-Type", "application/json");
          exchange.sendResponseHeaders(200, body.length);
          exchange.getResponseBody().write(body);
          exchange.close();
        });
    server.start();
    URI uri = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/jwks");
    keys = new SigningKeys(() -> CompletableFuture.completedFuture(uri), clock);
  }

  @AfterEach
  void stop() {
    if (server != null) server.stop(0);
  }

  static TokenRefused refusal(CompletableFuture<?> f) {
    CompletionException e = assertThrows(CompletionException.class, f::join);
    return assertInstanceOf(TokenRefused.class, e.getCause());
  }

  @Test
  void knownKidIsServedFromTheCache() {
    assertEquals("k1", keys.key("k1").join().getKeyID());
    assertEquals("k1", keys.key("k1").join().getKeyID());
    assertEquals(1, fetches.get());
  }

  @Test
  void rotatedKeyIsFetchedOnItsFirstToken() throws Exception {
    keys.key("k1").join();
    published.set(new JWKSet(key("k2").toPublicJWK()));
    assertEquals("k2", keys.key("k2").join().getKeyID());
    assertEquals(2, fetches.get());
  }

  @Test
  void forgedKidsCostOneFetchPerInterval() {
    keys.key("k1").join();
    assertEquals(TokenRefused.Kind.INVALID, refusal(keys.key("forged-1")).kind());
    assertEquals(TokenRefused.Kind.INVALID, refusal(keys.key("forged-2")).kind());
    assertEquals(TokenRefused.Kind.INVALID, refusal(keys.key("forged-3")).kind());
    assertEquals(2, fetches.get(), "the first fetch and one refetch for an unknown kid");
    clock.now = clock.now.plus(Duration.ofMillis(SigningKeys.UNKNOWN_KID_REFETCH_MS));
    refusal(keys.key("forged-4"));
    assertEquals(3, fetches.get());
  }

  @Test
  void outageKeepsCachedKeysAndAnswersUnavailableForNewOnes() {
    keys.key("k1").join();
    server.stop(0);
    server = null;
    clock.now = clock.now.plus(Duration.ofMillis(SigningKeys.MAX_AGE_MS + 1));
    assertEquals("k1", keys.key("k1").join().getKeyID(), "stale but cached: still served");
    assertEquals(TokenRefused.Kind.UNAVAILABLE, refusal(keys.key("k9")).kind());
  }
}
