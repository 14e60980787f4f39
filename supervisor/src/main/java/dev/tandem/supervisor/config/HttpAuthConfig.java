package dev.tandem.supervisor.config;

import java.net.URI;
import java.util.List;
import java.util.Map;

/**
 * The {@code [http.auth]} table: tandem as an OAuth 2.1 resource server (MCP authorization page).
 * Access tokens come from {@code issuer}; JWTs are checked against its keys ({@code jwks_uri}),
 * opaque tokens through its RFC 7662 {@code introspection_endpoint}; either left out is read from
 * the issuer's metadata (RFC 8414, else OpenID discovery) at start.
 *
 * @param issuer the authorization server's issuer identifier, exactly as tokens carry it in {@code
 *     iss}
 * @param resource the canonical URI of tandem's MCP endpoint (RFC 8707), what clients ask tokens
 *     for; null to derive {@code http://HOST:PORT/mcp} from the bound address
 * @param audience what a token's {@code aud} must contain; null for {@link #resource}. Some IdPs
 *     put an API identifier there instead (Auth0, Entra ID)
 * @param authorizationServers what the protected resource metadata names; empty for {@code issuer}
 * @param jwksUri where the issuer's signing keys are; null to discover it
 * @param introspectionEndpoint RFC 7662 endpoint for opaque tokens; null to discover it (used only
 *     with client credentials)
 * @param clientId tandem's own client id at the issuer, for introspection; null without one
 * @param clientSecret its secret, read from {@code client_secret_file} or {@code
 *     client_secret_env}; never logged (a {@code Secrets} entry) nor shown by {@code check --print}
 * @param scopes needed by every request; a token without them is answered 403
 * @param toolScopes more scopes per tool name, checked before a {@code tools/call} reaches a worker
 * @param poolScopes more scopes per pool name, for every tool that pool serves
 */
public record HttpAuthConfig(
    URI issuer,
    URI resource,
    String audience,
    List<URI> authorizationServers,
    URI jwksUri,
    URI introspectionEndpoint,
    String clientId,
    String clientSecret,
    List<String> scopes,
    Map<String, List<String>> toolScopes,
    Map<String, List<String>> poolScopes) {

  public List<URI> authorizationServersOrIssuer() {
    return authorizationServers.isEmpty() ? List.of(issuer) : authorizationServers;
  }

  @Override
  public String toString() {
    // The record's own would print the client secret into any log line that shows the config.
    return "HttpAuthConfig[issuer "
        + issuer
        + ", resource "
        + (resource == null ? "derived" : resource)
        + ", jwks "
        + (jwksUri == null ? "discovered" : jwksUri)
        + ", introspection "
        + (introspectionEndpoint == null ? "discovered" : introspectionEndpoint)
        + ", client secret "
        + (clientSecret == null ? "none" : "set")
        + ", scopes "
        + scopes
        + "]";
  }
}
