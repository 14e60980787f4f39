package dev.tandem.supervisor.transport.http.auth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.tandem.supervisor.session.Principal;
import java.text.ParseException;
import java.time.Clock;
import java.time.Instant;
import java.util.Date;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * JWT access tokens (RFC 9068), verified with Nimbus JOSE+JWT against the issuer's {@link
 * SigningKeys}. Only asymmetric signatures are accepted: a token signed with a shared secret (HS*)
 * or not at all ({@code alg: none}) could have been made by anyone holding the JWKS. Then the
 * claims, each refused with what was wrong: {@code iss} must be the configured issuer, {@code exp}
 * in the future and {@code nbf} past (with {@link #LEEWAY_S} of clock skew), and {@code aud} must
 * name tandem's audience, so a token minted for another resource cannot be replayed here (RFC 8707,
 * the MCP authorization page's "token audience binding").
 */
final class JwtAccessTokens {

  static final long LEEWAY_S = 60;

  private static final Set<JWSAlgorithm> ACCEPTED =
      Set.of(
          JWSAlgorithm.RS256,
          JWSAlgorithm.RS384,
          JWSAlgorithm.RS512,
          JWSAlgorithm.PS256,
          JWSAlgorithm.PS384,
          JWSAlgorithm.PS512,
          JWSAlgorithm.ES256,
          JWSAlgorithm.ES384,
          JWSAlgorithm.ES512);

  private final String issuer;
  private final String audience;
  private final SigningKeys keys;
  private final Clock clock;

  JwtAccessTokens(String issuer, String audience, SigningKeys keys, Clock clock) {
    this.issuer = issuer;
    this.audience = audience;
    this.keys = keys;
    this.clock = clock;
  }

  /** A compact JWS: three base64url parts. Anything else is an opaque token. */
  static boolean looksLikeJwt(String token) {
    int first = token.indexOf('.');
    return first > 0 && token.indexOf('.', first + 1) > first + 1 && token.startsWith("ey");
  }

  CompletableFuture<Principal> verify(String token) {
    SignedJWT jwt;
    try {
      jwt = SignedJWT.parse(token);
    } catch (ParseException e) {
      return CompletableFuture.failedFuture(
          TokenRefused.invalid("the token is not a signed JWT: " + e.getMessage()));
    }
    JWSHeader header = jwt.getHeader();
    if (!ACCEPTED.contains(header.getAlgorithm())) {
      return CompletableFuture.failedFuture(
          TokenRefused.invalid(
              "the token is signed with "
                  + header.getAlgorithm()
                  + "; only RS*, PS* and ES* signatures are accepted"));
    }
    return keys.key(header.getKeyID()).thenApply(key -> check(jwt, key));
  }

  private Principal check(SignedJWT jwt, JWK key) {
    try {
      if (!jwt.verify(verifier(key))) {
        throw TokenRefused.invalid(
            "the token's signature does not match key \"" + key.getKeyID() + "\"");
      }
      return claims(jwt.getJWTClaimsSet());
    } catch (JOSEException e) {
      throw TokenRefused.invalid(
          "the token's signature cannot be checked with key \""
              + key.getKeyID()
              + "\": "
              + e.getMessage());
    } catch (ParseException e) {
      throw TokenRefused.invalid("the token's claims are not valid JSON: " + e.getMessage());
    }
  }

  private static JWSVerifier verifier(JWK key) throws JOSEException {
    if (key instanceof RSAKey rsa) return new RSASSAVerifier(rsa);
    if (key instanceof ECKey ec) return new ECDSAVerifier(ec);
    throw TokenRefused.invalid(
        "key \"" + key.getKeyID() + "\" is a " + key.getKeyType() + " key; RSA or EC expected");
  }

  Principal claims(JWTClaimsSet claims) {
    if (!Issuers.same(issuer, claims.getIssuer())) {
      throw TokenRefused.invalid(
          "the token was issued by \""
              + claims.getIssuer()
              + "\", not by this server's authorization server \""
              + issuer
              + "\"");
    }
    Instant now = clock.instant();
    Date exp = claims.getExpirationTime();
    if (exp == null) throw TokenRefused.invalid("the token has no expiry (exp)");
    if (exp.toInstant().plusSeconds(LEEWAY_S).isBefore(now)) {
      throw TokenRefused.invalid("the token expired at " + exp.toInstant() + "; get a new one");
    }
    Date nbf = claims.getNotBeforeTime();
    if (nbf != null && nbf.toInstant().minusSeconds(LEEWAY_S).isAfter(now)) {
      throw TokenRefused.invalid("the token is not valid before " + nbf.toInstant());
    }
    List<String> aud = claims.getAudience();
    if (aud == null || !aud.contains(audience)) {
      throw TokenRefused.invalid(
          "the token is for "
              + (aud == null || aud.isEmpty() ? "no audience" : aud)
              + ", not for this server (\""
              + audience
              + "\"); ask the authorization server for a token with resource="
              + audience);
    }
    String clientId = firstString(claims, "client_id", "azp", "appid");
    String subject = claims.getSubject() != null ? claims.getSubject() : clientId;
    if (subject == null) throw TokenRefused.invalid("the token names no subject (sub)");
    return new Principal(issuer, subject, clientId, scopes(claims), exp.toInstant());
  }

  /** {@code scope} (RFC 9068: space-separated) or {@code scp} (Entra ID, Okta: string or list). */
  static Set<String> scopes(JWTClaimsSet claims) {
    Set<String> out = new LinkedHashSet<>();
    for (String name : List.of("scope", "scp")) {
      Object v = claims.getClaim(name);
      if (v instanceof String s) {
        for (String part : s.trim().split("\\s+")) if (!part.isEmpty()) out.add(part);
      } else if (v instanceof List<?> list) {
        for (Object o : list) if (o instanceof String s && !s.isBlank()) out.add(s);
      }
    }
    return out;
  }

  private static String firstString(JWTClaimsSet claims, String... names) {
    for (String n : names) {
      if (claims.getClaim(n) instanceof String s && !s.isBlank()) return s;
    }
    return null;
  }
}
