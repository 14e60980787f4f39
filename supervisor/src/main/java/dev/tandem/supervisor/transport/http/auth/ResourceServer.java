package dev.tandem.supervisor.transport.http.auth;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.protocol.Json;
import dev.tandem.supervisor.config.HttpAuthConfig;
import dev.tandem.supervisor.log.Log;
import dev.tandem.supervisor.session.Principal;
import java.net.URI;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * tandem as an OAuth 2.1 resource server ({@code [http.auth]}): its protected resource metadata
 * (RFC 9728), the {@code WWW-Authenticate} challenges that point clients at it, and the check of an
 * access token: a JWT against the issuer's keys, anything else through introspection. The issuer's
 * metadata is read once, lazily, and read again after a failure, so tandem starts while its
 * authorization server is down and serves as soon as it is up.
 */
public final class ResourceServer {

  public static final String METADATA_PATH = "/.well-known/oauth-protected-resource";

  private final HttpAuthConfig config;
  private final URI resource;
  private final String audience;
  private final JwtAccessTokens jwt;
  private final Introspection introspection;
  private volatile Function<String, String> poolOfTool = tool -> null;
  private CompletableFuture<IssuerMetadata> metadata;

  /** {@code resource}: the canonical URI of the MCP endpoint (configured, or the bound address). */
  public ResourceServer(HttpAuthConfig config, URI resource, Clock clock) {
    this.config = config;
    this.resource = resource;
    this.audience = config.audience() != null ? config.audience() : resource.toString();
    String issuer = config.issuer().toString();
    SigningKeys keys =
        new SigningKeys(
            () ->
                config.jwksUri() != null
                    ? CompletableFuture.completedFuture(config.jwksUri())
                    : issuerMetadata().thenApply(m -> need(m.jwksUri(), "jwks_uri", m)),
            clock);
    this.jwt = new JwtAccessTokens(issuer, audience, keys, clock);
    this.introspection =
        config.clientId() == null
            ? null
            : new Introspection(
                issuer,
                audience,
                () ->
                    config.introspectionEndpoint() != null
                        ? CompletableFuture.completedFuture(config.introspectionEndpoint())
                        : issuerMetadata()
                            .thenApply(
                                m -> need(m.introspectionEndpoint(), "introspection_endpoint", m)),
                config.clientId(),
                config.clientSecret(),
                clock);
  }

  /** The canonical resource URI for tandem's MCP endpoint served at {@code mcpUrl}. */
  public static URI resourceFor(HttpAuthConfig config, String mcpUrl) {
    return config.resource() != null ? config.resource() : URI.create(mcpUrl);
  }

  /** Where the router says a tool is served, for {@code pool_scopes}; set once pools are known. */
  public void poolOfTool(Function<String, String> lookup) {
    this.poolOfTool = lookup;
  }

  public URI resource() {
    return resource;
  }

  private synchronized CompletableFuture<IssuerMetadata> issuerMetadata() {
    CompletableFuture<IssuerMetadata> m = metadata;
    if (m == null || m.isCompletedExceptionally()) {
      m = IssuerMetadata.fetch(config.issuer());
      metadata = m;
      m.thenAccept(
          found ->
              Log.info(
                  "oauth: read the authorization server's metadata at "
                      + found.source()
                      + " (keys "
                      + found.jwksUri()
                      + ", introspection "
                      + found.introspectionEndpoint()
                      + ")"));
    }
    return m;
  }

  private static URI need(URI value, String key, IssuerMetadata m) {
    if (value == null) {
      throw TokenRefused.unavailable(
          m.source() + " names no " + key + "; set [http.auth] " + key + " to where it is");
    }
    return value;
  }

  /**
   * The principal {@code token} speaks for, or a failure with {@link TokenRefused}. Completes on
   * the calling thread when nothing needs fetching (cached keys, a cached introspection).
   */
  public CompletableFuture<Principal> verify(String token) {
    CompletableFuture<Principal> f;
    if (JwtAccessTokens.looksLikeJwt(token)) f = jwt.verify(token);
    else if (introspection != null) f = introspection.verify(token);
    else
      f =
          CompletableFuture.failedFuture(
              TokenRefused.invalid(
                  "the token is not a JWT, and this server has no [http.auth] client_id to introspect opaque tokens with"));
    return f.thenApply(this::withRequiredScopes);
  }

  private Principal withRequiredScopes(Principal p) {
    List<String> missing = p.missing(config.scopes());
    if (!missing.isEmpty()) {
      throw new TokenRefused(
          TokenRefused.Kind.INSUFFICIENT_SCOPE,
          "the token lacks scope " + String.join(" ", missing) + ", which every request needs");
    }
    return p;
  }

  /** The scopes a {@code tools/call} of {@code tool} needs beyond {@code scopes}. */
  public List<String> scopesFor(String tool) {
    Set<String> out = new LinkedHashSet<>(config.toolScopes().getOrDefault(tool, List.of()));
    String pool = poolOfTool.apply(tool);
    if (pool != null) out.addAll(config.poolScopes().getOrDefault(pool, List.of()));
    return List.copyOf(out);
  }

  /** RFC 9728 §3.2: what a client reads to find where to get a token for this server. */
  public ObjectNode metadata() {
    ObjectNode o = Json.object();
    o.put("resource", resource.toString());
    ArrayNode servers = o.putArray("authorization_servers");
    config.authorizationServersOrIssuer().forEach(u -> servers.add(u.toString()));
    ArrayNode scopes = o.putArray("scopes_supported");
    scopesSupported().forEach(scopes::add);
    o.putArray("bearer_methods_supported").add("header");
    o.put("resource_name", "tandem");
    return o;
  }

  private List<String> scopesSupported() {
    Set<String> all = new LinkedHashSet<>(config.scopes());
    config.toolScopes().values().forEach(all::addAll);
    config.poolScopes().values().forEach(all::addAll);
    return new ArrayList<>(all);
  }

  /**
   * The metadata's URL: the well-known prefix inserted before the resource's path (RFC 9728 §3.1),
   * so {@code http://h:p/mcp} has it at {@code
   * http://h:p/.well-known/oauth-protected-resource/mcp}.
   */
  public String metadataUrl() {
    String path = resource.getRawPath() == null ? "" : resource.getRawPath();
    if (path.equals("/")) path = "";
    return resource.getScheme() + "://" + resource.getRawAuthority() + METADATA_PATH + path;
  }

  /** The paths this server answers the metadata on: the suffixed one and the root fallback. */
  public boolean isMetadataPath(String path) {
    return path.equals(METADATA_PATH) || path.equals(URI.create(metadataUrl()).getRawPath());
  }

  /**
   * The {@code WWW-Authenticate} value for a refusal (RFC 6750 §3, MCP authorization page's scope
   * challenge): always {@code resource_metadata}, {@code scope} with what would let the request in.
   */
  public String challenge(TokenRefused refused, List<String> neededScopes) {
    StringBuilder b =
        new StringBuilder("Bearer resource_metadata=\"").append(metadataUrl()).append('"');
    switch (refused.kind()) {
      case MISSING, UNAVAILABLE -> {}
      case INVALID ->
          b.append(", error=\"invalid_token\", error_description=\"")
              .append(quoted(refused.getMessage()))
              .append('"');
      case INSUFFICIENT_SCOPE ->
          b.append(", error=\"insufficient_scope\", error_description=\"")
              .append(quoted(refused.getMessage()))
              .append('"');
    }
    Set<String> scope = new LinkedHashSet<>(config.scopes());
    scope.addAll(neededScopes);
    if (!scope.isEmpty()) b.append(", scope=\"").append(String.join(" ", scope)).append('"');
    return b.toString();
  }

  /** RFC 6750 §3: the quoted values carry no '"' or '\\' and printable ASCII only. */
  private static String quoted(String s) {
    StringBuilder b = new StringBuilder(s.length());
    for (char c : s.toCharArray()) {
      if (c == '"' || c == '\\') b.append('\'');
      else if (c >= 0x20 && c <= 0x7e) b.append(c);
      else b.append('?');
    }
    return b.toString();
  }
}
