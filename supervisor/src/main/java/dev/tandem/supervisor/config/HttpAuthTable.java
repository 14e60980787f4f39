package dev.tandem.supervisor.config;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tandem.supervisor.log.Secrets;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * Reads {@code [http.auth]} into an {@link HttpAuthConfig}, with errors that name the file, the
 * table and the key. Kept beside {@link ConfigLoader} rather than in it: the loader calls {@link
 * #read} with the {@code [http]} table it already checked.
 */
public final class HttpAuthTable {

  static final Set<String> KEYS =
      Set.of(
          "issuer",
          "resource",
          "audience",
          "authorization_servers",
          "jwks_uri",
          "introspection_endpoint",
          "client_id",
          "client_secret_file",
          "client_secret_env",
          "scopes",
          "tool_scopes",
          "pool_scopes");

  private static final String WHERE = "[http.auth]";

  private final Path source;
  private final Function<String, String> env;

  HttpAuthTable(Path source, Function<String, String> env) {
    this.source = source;
    this.env = env;
  }

  /**
   * The {@code [http.auth]} of {@code http}, or null when there is none. {@code token} is the
   * static token already read ({@code [http] token} or {@code TANDEM_HTTP_TOKEN}): both at once is
   * refused, since a shared secret beside OAuth would be a way around every check it makes.
   */
  public static HttpAuthConfig read(Path source, HttpConfig http, JsonNode httpTable) {
    JsonNode node = httpTable == null ? null : httpTable.get("auth");
    if (node == null || node.isMissingNode()) return null;
    if (http.token() != null && !http.token().isEmpty()) {
      throw new ConfigException(
          source
              + ": [http] token (or "
              + HttpConfig.TOKEN_ENV
              + ") and [http.auth] are both set; use one: OAuth access tokens from [http.auth], or the static token for local use");
    }
    HttpAuthConfig auth = new HttpAuthTable(source, System::getenv).parse(node);
    Secrets.add("http.auth.client_secret", auth.clientSecret());
    return auth;
  }

  HttpAuthConfig parse(JsonNode node) {
    if (!node.isObject()) throw new ConfigException(source + ": " + WHERE + " must be a table");
    for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
      String key = it.next();
      if (!KEYS.contains(key)) {
        throw new ConfigException(
            at(key)
                + ": unknown key"
                + ConfigFields.suggestion(key, KEYS)
                + "; known keys are "
                + String.join(", ", KEYS.stream().sorted().toList()));
      }
    }
    if (!node.has("issuer")) {
      throw new ConfigException(
          source
              + ": "
              + WHERE
              + ": issuer is missing; name the authorization server whose tokens tandem accepts, like \"https://auth.example.com/realms/tools\"");
    }
    URI issuer = url("issuer", node.get("issuer"));
    URI resource = node.has("resource") ? url("resource", node.get("resource")) : null;
    if (resource != null && resource.getRawFragment() != null) {
      throw new ConfigException(at("resource") + " must not have a #fragment (RFC 8707)");
    }
    String audience = node.has("audience") ? text("audience", node.get("audience")) : null;
    List<URI> servers = new ArrayList<>();
    for (String s : texts("authorization_servers", node.get("authorization_servers")))
      servers.add(url("authorization_servers item", s));
    URI jwks = node.has("jwks_uri") ? url("jwks_uri", node.get("jwks_uri")) : null;
    URI introspection =
        node.has("introspection_endpoint")
            ? url("introspection_endpoint", node.get("introspection_endpoint"))
            : null;
    String clientId = node.has("client_id") ? text("client_id", node.get("client_id")) : null;
    String secret = secret(node);
    if (secret != null && clientId == null) {
      throw new ConfigException(
          at("client_id")
              + " is missing; a client secret is sent with the client id it belongs to");
    }
    if (introspection != null && clientId == null) {
      throw new ConfigException(
          at("introspection_endpoint")
              + " needs client_id and client_secret_file or client_secret_env: RFC 7662 introspection is an authenticated call");
    }
    return new HttpAuthConfig(
        issuer,
        resource,
        audience,
        List.copyOf(servers),
        jwks,
        introspection,
        clientId,
        secret,
        texts("scopes", node.get("scopes")),
        scopeTable("tool_scopes", node.get("tool_scopes")),
        scopeTable("pool_scopes", node.get("pool_scopes")));
  }

  private String secret(JsonNode node) {
    if (node.has("client_secret_file") && node.has("client_secret_env")) {
      throw new ConfigException(
          at("client_secret_file") + " and client_secret_env are both set; use one");
    }
    if (node.has("client_secret_env")) {
      String name = text("client_secret_env", node.get("client_secret_env"));
      String value = env.apply(name);
      if (value == null || value.isBlank()) {
        throw new ConfigException(
            at("client_secret_env")
                + ": the variable "
                + name
                + " is not set or empty; export it before starting tandem");
      }
      return value.strip();
    }
    if (!node.has("client_secret_file")) return null;
    String raw = text("client_secret_file", node.get("client_secret_file"));
    Path file =
        source.getParent().resolve(TraceConfig.expandHome(raw, System.getenv())).normalize();
    try {
      Set<PosixFilePermission> perms = Files.getPosixFilePermissions(file);
      if (perms.contains(PosixFilePermission.OTHERS_READ)
          || perms.contains(PosixFilePermission.GROUP_READ)) {
        throw new ConfigException(
            at("client_secret_file")
                + ": "
                + file
                + " is readable by other users; chmod 600 it (it holds a secret)");
      }
      String value = Files.readString(file).strip();
      if (value.isEmpty())
        throw new ConfigException(at("client_secret_file") + ": " + file + " is empty");
      return value;
    } catch (UnsupportedOperationException e) {
      throw new ConfigException(at("client_secret_file") + ": " + file + ": " + e.getMessage());
    } catch (IOException e) {
      throw new ConfigException(
          at("client_secret_file") + ": cannot read " + file + " (" + e + ")");
    }
  }

  private Map<String, List<String>> scopeTable(String key, JsonNode value) {
    if (value == null) return Map.of();
    if (!value.isObject()) {
      throw new ConfigException(
          at(key) + " must be a table of name = [\"scope\", ...], got " + value);
    }
    Map<String, List<String>> out = new LinkedHashMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = value.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      out.put(e.getKey(), texts(key + "." + e.getKey(), e.getValue()));
    }
    return Map.copyOf(out);
  }

  private URI url(String key, JsonNode value) {
    return url(key, text(key, value));
  }

  private URI url(String key, String s) {
    try {
      URI u = new URI(s);
      if (("https".equals(u.getScheme()) || "http".equals(u.getScheme())) && u.getHost() != null)
        return u;
    } catch (URISyntaxException e) {
      // fall through to the error below
    }
    throw new ConfigException(
        at(key) + " must be an http(s) URL like \"https://auth.example.com\", got \"" + s + "\"");
  }

  private String text(String key, JsonNode value) {
    if (value == null || !value.isTextual() || value.asText().isBlank()) {
      throw new ConfigException(at(key) + " must be a non-empty string, got " + value);
    }
    return value.asText();
  }

  private List<String> texts(String key, JsonNode value) {
    if (value == null) return List.of();
    if (!value.isArray()) {
      throw new ConfigException(
          at(key) + " must be a list of strings, like [\"a\", \"b\"]; got " + value);
    }
    List<String> out = new ArrayList<>();
    for (JsonNode item : value) out.add(text(key + " item", item));
    return List.copyOf(out);
  }

  private String at(String key) {
    return source + ": " + WHERE + ": " + key;
  }
}
