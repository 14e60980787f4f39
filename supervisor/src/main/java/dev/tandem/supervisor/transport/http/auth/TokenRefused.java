package dev.tandem.supervisor.transport.http.auth;

/**
 * Why a request's access token does not let it in, as RFC 6750 §3.1 names it: each kind is one HTTP
 * status and one {@code WWW-Authenticate} error code. The description goes to the client (in {@code
 * error_description} and the body) and never contains the token.
 */
public final class TokenRefused extends RuntimeException {

  public enum Kind {
    /** No bearer token at all: 401 with a bare challenge, so the client starts discovery. */
    MISSING,
    /** Expired, not yet valid, forged, for another issuer or another resource: 401. */
    INVALID,
    /** Valid, but without a scope this request needs: 403. */
    INSUFFICIENT_SCOPE,
    /** The authorization server could not be asked (keys, introspection): 503. */
    UNAVAILABLE
  }

  private final Kind kind;

  public TokenRefused(Kind kind, String description) {
    super(description, null, false, false);
    this.kind = kind;
  }

  public Kind kind() {
    return kind;
  }

  static TokenRefused invalid(String description) {
    return new TokenRefused(Kind.INVALID, description);
  }

  static TokenRefused unavailable(String description) {
    return new TokenRefused(Kind.UNAVAILABLE, description);
  }
}
