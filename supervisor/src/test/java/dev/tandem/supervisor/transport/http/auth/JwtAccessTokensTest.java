package dev.tandem.supervisor.transport.http.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import dev.tandem.supervisor.session.Principal;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Date;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;

/**
 * The signature and claim rules with a key set that cannot be fetched: the refusals that do not
 * need an authorization server (alg confusion, claims) are pinned here; the rest is in the ITs.
 */
class JwtAccessTokensTest {

  static final String ISSUER = "https://auth.example.com";
  static final String AUDIENCE = "http://127.0.0.1:8765/mcp";
  static final Instant NOW = Instant.parse("2026-12-07T20:00:00Z");

  final RSAKey key = generate("k1");
  int fetches;
  final JwtAccessTokens tokens =
      new JwtAccessTokens(
          ISSUER,
          AUDIENCE,
          new SigningKeys(
              () -> {
                fetches++;
                return CompletableFuture.failedFuture(
                    TokenRefused.unavailable("not asked in this test"));
              },
              Clock.fixed(NOW, ZoneOffset.UTC)),
          Clock.fixed(NOW, ZoneOffset.UTC));

  static RSAKey generate(String kid) {
    try {
      return new RSAKeyGenerator(2048).keyID(kid).generate();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  JWTClaimsSet.Builder claims() {
    return new JWTClaimsSet.Builder()
        .issuer(ISSUER)
        .subject("alice")
        .audience(AUDIENCE)
        .expirationTime(Date.from(NOW.plusSeconds(600)))
        .claim("scope", "mcp:tools reports:read")
        .claim("client_id", "claude");
  }

  static TokenRefused refusal(CompletableFuture<?> f) {
    CompletionException e = assertThrows(CompletionException.class, f::join);
    return assertInstanceOf(TokenRefused.class, e.getCause());
  }

  @Test
  void claimsMakeThePrincipal() {
    Principal p = tokens.claims(claims().build());
    assertEquals("alice", p.subject());
    assertEquals(Set.of("mcp:tools", "reports:read"), p.scopes());
    assertEquals("claude", p.clientId());
    assertEquals(ISSUER + "#alice", p.key().substring("oauth:".length()));
  }

  @Test
  void scpListOfEntraAndOktaCountsAsScopes() {
    Principal p =
        tokens.claims(claims().claim("scope", null).claim("scp", List.of("a", "b")).build());
    assertEquals(Set.of("a", "b"), p.scopes());
  }

  @Test
  void eachBadClaimIsRefusedSayingWhat() {
    assertTrue(
        assertThrows(
                TokenRefused.class, () -> tokens.claims(claims().issuer("https://evil").build()))
            .getMessage()
            .contains("issued by \"https://evil\""));
    assertTrue(
        assertThrows(
                TokenRefused.class,
                () ->
                    tokens.claims(claims().expirationTime(Date.from(NOW.minusSeconds(61))).build()))
            .getMessage()
            .contains("expired"));
    // Within the leeway a slightly skewed clock still passes.
    tokens.claims(claims().expirationTime(Date.from(NOW.minusSeconds(30))).build());
    assertTrue(
        assertThrows(
                TokenRefused.class,
                () -> tokens.claims(claims().audience("https://other.example/mcp").build()))
            .getMessage()
            .contains("not for this server"));
    assertTrue(
        assertThrows(
                TokenRefused.class,
                () ->
                    tokens.claims(claims().notBeforeTime(Date.from(NOW.plusSeconds(600))).build()))
            .getMessage()
            .contains("not valid before"));
  }

  @Test
  void hmacSignedTokenIsRefusedWithoutFetchingKeys() throws Exception {
    // alg confusion: an HS256 token "signed" with the public key's bytes must never be checked.
    SignedJWT hs = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), claims().build());
    hs.sign(new MACSigner(new byte[32]));
    TokenRefused r = refusal(tokens.verify(hs.serialize()));
    assertEquals(TokenRefused.Kind.INVALID, r.kind());
    assertTrue(r.getMessage().contains("only RS*, PS* and ES*"), r.getMessage());
    assertEquals(0, fetches);
  }

  @Test
  void unsignedTokenIsRefused() {
    String none = new PlainJWT(claims().build()).serialize();
    assertEquals(TokenRefused.Kind.INVALID, refusal(tokens.verify(none)).kind());
    assertEquals(0, fetches);
  }

  @Test
  void serverThatCannotBeAskedIs503NotAnInvalidToken() throws Exception {
    SignedJWT jwt =
        new SignedJWT(
            new JWSHeader.Builder(JWSAlgorithm.RS256).keyID("k1").build(), claims().build());
    jwt.sign(new RSASSASigner(key));
    assertEquals(TokenRefused.Kind.UNAVAILABLE, refusal(tokens.verify(jwt.serialize())).kind());
    assertEquals(1, fetches);
  }
}
