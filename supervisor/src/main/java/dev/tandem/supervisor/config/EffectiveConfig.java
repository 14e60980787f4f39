package dev.tandem.supervisor.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The configuration tandem would serve, as TOML: every key with its value after defaults, {@code
 * TANDEM_*} variables and {@code --set} flags, each overridden one marked with where it came from.
 * What {@code tandem check --print} shows. The HTTP token is never written: only whether one is
 * set, and by what.
 */
public final class EffectiveConfig {

  private EffectiveConfig() {}

  public static String toml(TandemConfig config) {
    Map<String, String> origins =
        config.overridden().stream()
            .collect(
                Collectors.toMap(
                    s -> s.where() + "." + s.key(), Overrides.Setting::origin, (a, b) -> b));
    StringBuilder b = new StringBuilder();
    b.append("# effective configuration of ").append(config.source()).append('\n');
    b.append(
        "# (defaults filled in; a value set by a TANDEM_* variable or --set flag says so)\n\n");

    ServerConfig s = config.server();
    Section server = new Section(b, "[server]", origins);
    if (s.python() == null) {
      b.append("# python: not set; workers run python3 from PATH\n");
    } else {
      server.put("python", str(s.python()));
    }
    server.put("page_size", s.pageSize());
    server.put("max_frame_bytes", s.maxFrameBytes());
    server.put("shutdown_grace_ms", ms(s.shutdownGrace()));

    HttpConfig h = config.http();
    b.append('\n');
    Section http = new Section(b, "[http]", origins);
    http.put(
        "listen",
        str(h.host().contains(":") ? "[" + h.host() + "]:" + h.port() : h.host() + ":" + h.port()));
    String tokenOrigin = origins.get("[http].token");
    if (h.token() == null) {
      b.append(
          "# token: not set; serve --http requires the one it generates into http-token beside its runtime file\n");
    } else if (h.open()) {
      http.put("token", str(""));
      b.append("# an open server: requests need no Authorization\n");
    } else {
      b.append(
          "# token: set"
              + (tokenOrigin == null ? " in the file" : " by " + tokenOrigin)
              + " (never shown)\n");
    }
    http.put("allowed_origins", list(h.allowedOrigins()));
    http.put("allowed_hosts", list(h.allowedHosts()));
    http.put("max_body_bytes", h.maxBodyBytes());
    http.put("keepalive_ms", ms(h.keepalive()));
    http.put("stream_buffer_bytes", h.streamBufferBytes());
    http.put("session_idle_ms", ms(h.sessionIdle()));
    http.put("idle_timeout_ms", ms(h.idleTimeout()));
    http.put("read_timeout_ms", ms(h.readTimeout()));
    if (h.maxConnections() == 0) {
      b.append(
          "# max_connections: not set; "
              + HttpConfig.DEFAULT_MAX_CONNECTIONS
              + ", or half the file descriptors still free at start if that is lower\n");
    } else {
      http.put("max_connections", h.maxConnections());
    }
    if (h.stateKeyFile() == null) {
      b.append(
          "# state_key_file: not set; requestStates are signed with a per-process key unless "
              + "TANDEM_STATE_KEY is set (tandem check says which)\n");
    } else {
      http.put("state_key_file", str(h.stateKeyFile().toString()));
    }
    http.put("drain_ms", ms(h.drain()));

    if (h.auth() != null) authSection(b, h.auth(), origins);

    TraceConfig t = config.trace();
    b.append('\n');
    Section trace = new Section(b, "[trace]", origins);
    b.append(
        "# "
            + TraceConfig.DIR_ENV
            + " in the environment wins over this table (a directory, or off)\n");
    if (t.enabled() == null) {
      b.append(
          "# enabled: not set; on with serve --watch or [server] watch = true, off otherwise\n");
    } else {
      trace.put("enabled", t.enabled());
    }
    if (t.dir() == null) {
      b.append("# dir: not set; $XDG_CACHE_HOME/tandem/traces (~/.cache/tandem/traces)\n");
    } else {
      trace.put("dir", str(t.dir().toString()));
    }
    trace.put("max_bytes", t.maxBytes());
    trace.put("files", t.files());

    TasksConfig k = config.tasks();
    b.append('\n');
    Section tasks = new Section(b, "[tasks]", origins);
    tasks.put("ttl_ms", k.ttlMs());
    tasks.put("poll_interval_ms", k.pollIntervalMs());
    tasks.put("max_tasks", k.maxTasks());
    tasks.put("store", str(k.store() == null ? "embedded" : TasksConfig.redacted(k.store())));
    tasks.put("lease_ms", k.leaseMs());

    for (PoolConfig p : config.pools()) {
      b.append('\n');
      Section pool = new Section(b, "[[pool]]", origins);
      pool.where = "pool \"" + p.name() + "\"";
      pool.put("name", str(p.name()));
      if (p.isPython()) pool.put("modules", list(p.modules()));
      else pool.put("command", list(p.command()));
      if (!p.path().isEmpty())
        pool.put("path", list(p.path().stream().map(Path::toString).toList()));
      pool.put("replicas", p.replicas());
      Supervision v = p.supervision();
      pool.put("max_concurrency", v.maxConcurrency());
      pool.put("queue", v.queue());
      pool.put("call_timeout_ms", ms(v.callTimeout()));
      pool.put("start_timeout_ms", ms(v.startTimeout()));
      pool.put("ping_interval_ms", ms(v.pingInterval()));
      pool.put("ping_timeout_ms", ms(v.pingTimeout()));
      pool.put("max_restarts", v.maxRestarts());
      pool.put("restart_window_ms", ms(v.restartWindow()));
      pool.put("half_open_after_ms", ms(v.halfOpenAfter()));
      pool.put("spare", v.spare());
      pool.put("max_calls", v.maxCalls());
      pool.put("max_rss_mb", v.maxRssMb());
      if (!p.passEnv().isEmpty()) pool.put("pass_env", list(p.passEnv()));
      if (!p.env().isEmpty()) {
        // Values of a pool's env may be API keys: show which variables are set, not their values.
        b.append("# env: ")
            .append(String.join(", ", p.env().keySet().stream().sorted().toList()))
            .append(" (values not shown)\n");
      }
    }
    return b.toString();
  }

  /** {@code [http.auth]}; the client secret is never shown, only whether there is one. */
  private static void authSection(
      StringBuilder b, HttpAuthConfig a, java.util.Map<String, String> origins) {
    b.append('\n');
    Section auth = new Section(b, "[http.auth]", origins);
    auth.put("issuer", str(a.issuer().toString()));
    if (a.resource() == null) b.append("# resource: not set; http://HOST:PORT/mcp as bound\n");
    else auth.put("resource", str(a.resource().toString()));
    if (a.audience() != null) auth.put("audience", str(a.audience()));
    if (!a.authorizationServers().isEmpty())
      auth.put(
          "authorization_servers",
          list(a.authorizationServers().stream().map(Object::toString).toList()));
    if (a.jwksUri() != null) auth.put("jwks_uri", str(a.jwksUri().toString()));
    if (a.introspectionEndpoint() != null)
      auth.put("introspection_endpoint", str(a.introspectionEndpoint().toString()));
    if (a.clientId() != null) auth.put("client_id", str(a.clientId()));
    if (a.clientSecret() != null) b.append("# client secret: set (never shown)\n");
    auth.put("scopes", list(a.scopes()));
    for (var table :
        java.util.Map.of("tool_scopes", a.toolScopes(), "pool_scopes", a.poolScopes()).entrySet()) {
      if (table.getValue().isEmpty()) continue;
      b.append("\n[http.auth.").append(table.getKey()).append("]\n");
      table
          .getValue()
          .forEach(
              (k, v) ->
                  b.append(k.matches("[A-Za-z0-9_-]+") ? k : str(k))
                      .append(" = ")
                      .append(list(v))
                      .append('\n'));
    }
  }

  private static final class Section {
    private final StringBuilder b;
    private final Map<String, String> origins;
    String where;

    Section(StringBuilder b, String header, Map<String, String> origins) {
      this.b = b;
      this.origins = origins;
      this.where = header;
      b.append(header).append('\n');
    }

    void put(String key, Object value) {
      b.append(key).append(" = ").append(value);
      String origin = origins.get(where + "." + key);
      if (origin != null) b.append("  # from ").append(origin);
      b.append('\n');
    }
  }

  private static long ms(Duration d) {
    return d.toMillis();
  }

  static String str(String s) {
    StringBuilder q = new StringBuilder("\"");
    for (char c : s.toCharArray()) {
      switch (c) {
        case '"' -> q.append("\\\"");
        case '\\' -> q.append("\\\\");
        case '\n' -> q.append("\\n");
        case '\t' -> q.append("\\t");
        default -> {
          if (c < 0x20) q.append(String.format("\\u%04x", (int) c));
          else q.append(c);
        }
      }
    }
    return q.append('"').toString();
  }

  private static String list(List<String> items) {
    return items.stream().map(EffectiveConfig::str).collect(Collectors.joining(", ", "[", "]"));
  }
}
