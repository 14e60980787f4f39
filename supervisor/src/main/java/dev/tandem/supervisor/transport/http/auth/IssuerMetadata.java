package dev.tandem.supervisor.transport.http.auth;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * What tandem needs from its authorization server's metadata: where its signing keys are and where
 * to introspect. Looked up as the MCP authorization page orders it: RFC 8414 ({@code
 * /.well-known/oauth-authorization-server} with the issuer's path appended), then OpenID Connect
 * discovery both ways. The document must name the configured issuer (RFC 8414 §3.3), or a
 * misconfigured URL would make tandem trust some other server's keys.
 *
 * @param jwksUri null when the server publishes no keys (opaque tokens only)
 * @param introspectionEndpoint null when it offers none
 */
public record IssuerMetadata(URI source, URI jwksUri, URI introspectionEndpoint) {

  static List<URI> candidates(URI issuer) {
    String origin = issuer.getScheme() + "://" + issuer.getRawAuthority();
    String path = issuer.getRawPath() == null ? "" : issuer.getRawPath();
    String trimmed = path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
    if (trimmed.isEmpty()) {
      return List.of(
          URI.create(origin + "/.well-known/oauth-authorization-server"),
          URI.create(origin + "/.well-known/openid-configuration"));
    }
    return List.of(
        URI.create(origin + "/.well-known/oauth-authorization-server" + trimmed),
        URI.create(origin + "/.well-known/openid-configuration" + trimmed),
        URI.create(origin + trimmed + "/.well-known/openid-configuration"));
  }

  /** Fails with {@link TokenRefused} ({@code UNAVAILABLE}) saying what was tried. */
  public static CompletableFuture<IssuerMetadata> fetch(URI issuer) {
    return tryFrom(issuer, candidates(issuer), 0, new StringBuilder());
  }

  private static CompletableFuture<IssuerMetadata> tryFrom(
      URI issuer, List<URI> urls, int i, StringBuilder tried) {
    if (i == urls.size()) {
      return CompletableFuture.failedFuture(
          TokenRefused.unavailable(
              "cannot read the metadata of the authorization server "
                  + issuer
                  + " (tried "
                  + tried
                  + "); check [http.auth] issuer, or set jwks_uri / introspection_endpoint"));
    }
    URI url = urls.get(i);
    return AuthHttp.get(url)
        .handle(
            (answer, failure) -> {
              if (tried.length() > 0) tried.append(", ");
              tried.append(url);
              if (failure != null) {
                tried.append(": ").append(AuthHttp.reason(failure));
                return null;
              }
              if (answer.status() != 200 || answer.body() == null) {
                tried.append(": HTTP ").append(answer.status());
                return null;
              }
              return answer.body();
            })
        .thenCompose(
            body -> {
              if (body == null) return tryFrom(issuer, urls, i + 1, tried);
              String named = body.path("issuer").asText(null);
              if (!Issuers.same(issuer.toString(), named)) {
                return CompletableFuture.failedFuture(
                    TokenRefused.unavailable(
                        url
                            + " names issuer \""
                            + named
                            + "\", not the configured \""
                            + issuer
                            + "\"; set [http.auth] issuer to the value this server uses"));
              }
              return CompletableFuture.completedFuture(
                  new IssuerMetadata(
                      url, uri(body, "jwks_uri"), uri(body, "introspection_endpoint")));
            });
  }

  private static URI uri(JsonNode body, String key) {
    String s = body.path(key).asText(null);
    return s == null || s.isBlank() ? null : URI.create(s);
  }
}
