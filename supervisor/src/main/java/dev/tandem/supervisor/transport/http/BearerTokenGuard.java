package dev.tandem.supervisor.transport.http;

import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * The shared secret of {@code [http] token} / {@code TANDEM_HTTP_TOKEN}, else the one {@code serve
 * --http} generated (on unless {@code [http] token = ""}): every request (but the probes) must
 * carry {@code Authorization: Bearer <token>}, else 401 with a {@code WWW-Authenticate} challenge
 * (RFC 6750). Both sides are hashed before an {@link MessageDigest#isEqual} comparison, so neither
 * the token's bytes nor its length can be learned from response timing. The token is never logged
 * or echoed.
 */
final class BearerTokenGuard extends Gate {

  private static final String CHALLENGE = "Bearer realm=\"tandem\"";

  private final byte[] expected;

  BearerTokenGuard(String token) {
    this.expected = sha256(token);
  }

  @Override
  protected FullHttpResponse refuse(HttpRequest request) {
    String header = request.headers().get(HttpHeaderNames.AUTHORIZATION);
    if (header == null || header.length() < 7 || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return unauthorized(
          CHALLENGE,
          "Unauthorized: this server needs Authorization: Bearer <token>: its [http] token or TANDEM_HTTP_TOKEN, else the "
              + "token it generated into http-token beside its runtime file daemon.json (tandem.connect() reads it)");
    }
    if (!MessageDigest.isEqual(sha256(header.substring(7).trim()), expected)) {
      return unauthorized(
          CHALLENGE + ", error=\"invalid_token\"",
          "Unauthorized: the bearer token is not the one this server was started with");
    }
    return null;
  }

  private static FullHttpResponse unauthorized(String challenge, String message) {
    FullHttpResponse r =
        HttpReplies.error(HttpResponseStatus.UNAUTHORIZED, HttpReplies.REFUSED, message);
    r.headers().set(HttpHeaderNames.WWW_AUTHENTICATE, challenge);
    return r;
  }

  private static byte[] sha256(String s) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java runtime has SHA-256", e);
    }
  }
}
