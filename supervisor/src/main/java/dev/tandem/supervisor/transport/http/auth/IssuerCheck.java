package dev.tandem.supervisor.transport.http.auth;

import dev.tandem.supervisor.config.HttpAuthConfig;
import java.net.URI;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * {@code tandem check} for {@code [http.auth]}: reads the issuer's metadata and its signing keys
 * the way serving would, so a wrong issuer, an unreachable server or a metadata document naming
 * another issuer is found before a host is pointed at tandem.
 */
public final class IssuerCheck {

  private IssuerCheck() {}

  /** One line saying what was found; throws {@link TokenRefused} saying what is wrong. */
  public static String run(HttpAuthConfig auth) throws InterruptedException {
    IssuerMetadata metadata =
        auth.jwksUri() != null && (auth.clientId() == null || auth.introspectionEndpoint() != null)
            ? null
            : await(IssuerMetadata.fetch(auth.issuer()));
    URI jwks = auth.jwksUri() != null ? auth.jwksUri() : metadata.jwksUri();
    URI introspection =
        auth.introspectionEndpoint() != null
            ? auth.introspectionEndpoint()
            : metadata == null ? null : metadata.introspectionEndpoint();
    StringBuilder b = new StringBuilder("[http.auth]: issuer ").append(auth.issuer());
    if (metadata != null) b.append(" (metadata at ").append(metadata.source()).append(')');
    if (jwks != null) {
      int keys = await(SigningKeys.download(jwks)).getKeys().size();
      b.append("; ").append(keys).append(keys == 1 ? " signing key at " : " signing keys at ");
      b.append(jwks);
    } else {
      b.append("; no jwks_uri: JWT access tokens are refused");
    }
    if (auth.clientId() != null) {
      if (introspection == null) {
        throw TokenRefused.unavailable(
            "client_id is set but the issuer names no introspection_endpoint; set it in [http.auth]");
      }
      b.append("; opaque tokens introspected at ").append(introspection);
    }
    return b.toString();
  }

  private static <T> T await(CompletableFuture<T> f) throws InterruptedException {
    try {
      return f.get(AuthHttp.TIMEOUT.toSeconds() * 4, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      Throwable cause = AuthHttp.unwrap(e);
      if (cause instanceof TokenRefused r) throw r;
      throw TokenRefused.unavailable(AuthHttp.reason(cause));
    } catch (TimeoutException e) {
      throw TokenRefused.unavailable("the authorization server did not answer in time");
    }
  }
}
