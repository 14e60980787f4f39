package dev.tandem.supervisor.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/** Reads the {@code [http]} table: the Streamable HTTP listener and its limits. */
final class HttpTable {

  static final Set<String> KEYS =
      Set.of(
          "listen",
          "token",
          "auth",
          "allowed_origins",
          "allowed_hosts",
          "max_body_bytes",
          "keepalive_ms",
          "stream_buffer_bytes",
          "session_idle_ms",
          "idle_timeout_ms",
          "read_timeout_ms",
          "max_connections",
          "state_key_file",
          "drain_ms");
  private static final Pattern ORIGIN = Pattern.compile("https?://[^/?#\\s]+");

  private HttpTable() {}

  static HttpConfig read(ConfigFields f, JsonNode node) {
    HttpConfig defaults = HttpConfig.defaults(null);
    if (node.isMissingNode()) return defaults;
    String where = "[http]";
    f.requireTable(where, node);
    f.checkKeys(where, node, KEYS);
    ListenAddress listen = new ListenAddress(defaults.host(), defaults.port());
    if (node.has("listen")) {
      try {
        listen = ListenAddress.parse(f.string(where, "listen", node.get("listen")));
      } catch (IllegalArgumentException e) {
        throw f.error(where, "listen " + e.getMessage());
      }
    }
    // "" is the explicit opt-out (an open server); left out, serve --http generates a token.
    String token =
        !node.has("token")
            ? null
            : node.get("token").isTextual() && node.get("token").asText().isEmpty()
                ? ""
                : f.string(where, "token", node.get("token"));
    List<String> origins = f.strings(where, "allowed_origins", node.get("allowed_origins"));
    for (String origin : origins) {
      f.matching(
          where,
          "allowed_origins item",
          origin,
          ORIGIN,
          "is not an origin; write scheme://host[:port], like \"https://app.example.com\"");
    }
    List<String> hosts = f.strings(where, "allowed_hosts", node.get("allowed_hosts"));
    int maxBody = f.intIn(where, node, "max_body_bytes", defaults.maxBodyBytes(), 1024, 1 << 30);
    Duration keepalive =
        f.millis(where, node, "keepalive_ms", defaults.keepalive(), 100, 3_600_000);
    int streamBuffer =
        f.intIn(where, node, "stream_buffer_bytes", defaults.streamBufferBytes(), 4096, 1 << 30);
    Duration sessionIdle =
        f.millis(where, node, "session_idle_ms", defaults.sessionIdle(), 1000, Integer.MAX_VALUE);
    Duration connectionIdle =
        f.millis(where, node, "idle_timeout_ms", defaults.idleTimeout(), 100, Integer.MAX_VALUE);
    Duration read =
        f.millis(where, node, "read_timeout_ms", defaults.readTimeout(), 100, 3_600_000);
    int maxConnections =
        f.intIn(where, node, "max_connections", defaults.maxConnections(), 1, 1_000_000);
    // Relative to the config file, like a pool's path; its mode is checked where it is read.
    Path stateKeyFile =
        node.has("state_key_file")
            ? f.source
                .toAbsolutePath()
                .getParent()
                .resolve(f.string(where, "state_key_file", node.get("state_key_file")))
            : null;
    Duration drain = f.millis(where, node, "drain_ms", defaults.drain(), 0, 600_000);
    return new HttpConfig(
        listen.host(),
        listen.port(),
        token,
        origins,
        hosts,
        maxBody,
        keepalive,
        streamBuffer,
        sessionIdle,
        connectionIdle,
        read,
        maxConnections,
        stateKeyFile,
        drain);
  }
}
