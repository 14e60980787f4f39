package dev.tandem.supervisor.transport.http.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import dev.tandem.supervisor.session.Principal;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** RFC 7662 introspection against a real HTTP server on loopback, the clock in the test's hands. */
class IntrospectionTest {

  static final String ISSUER = "https://auth.example.com";
  static final String AUDIENCE = "http://127.0.0.1:8765/mcp";

  HttpServer server;
  final List<String> asked = new CopyOnWriteArrayList<>();
  final AtomicReference<String> answer = new AtomicReference<>();
  final AtomicReference<Integer> status = new AtomicReference<>(200);
  final SigningKeysTest.MutableClock clock = new SigningKeysTest.MutableClock();
  Introspection introspection;

  @BeforeEach
  void start() throws Exception {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext(
        "/introspect",
        exchange -> {
          asked.add(
              exchange.getRequestHeaders().getFirst("Authorization")
                  + " "
                  + new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
          byte[] body = answer.get().getBytes(StandardCharsets.UTF_8);
          exchange.sendResponseHeaders(status.get(), body.length);
          exchange.getResponseBody().write(body);
          exchange.close();
        });
    server.start();
    URI uri = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/introspect");
    introspection =
        new Introspection(
            ISSUER,
            AUDIENCE,
            () -> CompletableFuture.completedFuture(uri),
            "tandem",
            "s3cret",
            clock);
  }

  @AfterEach
  void stop() {
    server.stop(0);
  }

  String active(long expIn, String aud) {
    return "{\"active\":true,\"iss\":\""
        + ISSUER
        + "\",\"sub\":\"carol\",\"client_id\":\"claude\",\"scope\":\"mcp:tools\",\"aud\":\""
        + aud
        + "\",\"exp\":"
        + clock.instant().plusSeconds(expIn).getEpochSecond()
        + "}";
  }

  static TokenRefused refusal(CompletableFuture<?> f) {
    CompletionException e = assertThrows(CompletionException.class, f::join);
    return assertInstanceOf(TokenRefused.class, e.getCause());
  }

  @Test
  void activeTokenIsAskedOnceThenCachedUntilItExpires() {
    answer.set(active(120, AUDIENCE));
    Principal p = introspection.verify("opaque-1").join();
    assertEquals("carol", p.subject());
    assertEquals(Set.of("mcp:tools"), p.scopes());
    assertEquals("claude", p.clientId());
    introspection.verify("opaque-1").join();
    assertEquals(1, asked.size());
    // client_secret_basic, and the token form-encoded in the body only.
    assertTrue(asked.get(0).startsWith("Basic dGFuZGVtOnMzY3JldA== token=opaque-1"), asked.get(0));
    clock.now = clock.now.plus(Duration.ofSeconds(121));
    answer.set("{\"active\":false}");
    assertEquals(TokenRefused.Kind.INVALID, refusal(introspection.verify("opaque-1")).kind());
    assertEquals(2, asked.size());
  }

  @Test
  void cacheIsHeldAtMostFiveMinutesSoARevocationIsSeen() {
    answer.set(active(86_400, AUDIENCE));
    introspection.verify("long-lived").join();
    clock.now = clock.now.plus(Duration.ofSeconds(Introspection.MAX_CACHE_S + 1));
    answer.set("{\"active\":false}");
    refusal(introspection.verify("long-lived"));
    assertEquals(2, asked.size());
  }

  @Test
  void tokenForAnotherResourceIsRefused() {
    answer.set(active(120, "https://other.example/mcp"));
    TokenRefused r = refusal(introspection.verify("elsewhere"));
    assertEquals(TokenRefused.Kind.INVALID, r.kind());
    assertTrue(r.getMessage().contains("not for this server"), r.getMessage());
  }

  @Test
  void rejectedClientCredentialsAre503NotTheCallersFault() {
    status.set(401);
    answer.set("{\"error\":\"invalid_client\"}");
    assertEquals(TokenRefused.Kind.UNAVAILABLE, refusal(introspection.verify("t")).kind());
  }
}
