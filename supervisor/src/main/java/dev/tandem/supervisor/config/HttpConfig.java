package dev.tandem.supervisor.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * The {@code [http]} table: how {@code tandem serve --http} serves Streamable HTTP and the admin
 * endpoints. Loopback by default, because a local MCP server reachable from the network (or from a
 * web page through DNS rebinding) runs tools on behalf of whoever reaches it.
 *
 * @param token the bearer token every MCP request must carry; null when the config names none
 *     ({@code serve --http} then generates one), {@code ""} for none at all ({@code [http] token =
 *     ""}, an open server); never logged
 * @param allowedOrigins origins (scheme://host[:port]) a browser may call from, besides loopback
 * @param allowedHosts Host header values accepted besides loopback names and the bound host; {@code
 *     "*"} accepts any (behind a load balancer that checks it)
 * @param streamBufferBytes bytes an SSE stream may hold for a client that does not read; past that
 *     the stream is closed and its call cancelled
 * @param idleTimeout how long a connection may sit between requests (nothing being read, nothing
 *     being answered) before it is closed; an open SSE stream is an answer, so never idle
 * @param readTimeout how long a request's head and body together may take to arrive; past it the
 *     request is answered 408 and its connection closed (a client trickling bytes)
 * @param maxConnections open connections past which a new one is refused with 503; 0 for the
 *     default, {@value #DEFAULT_MAX_CONNECTIONS} or half the file descriptors still free if lower
 * @param stateKeyFile the requestState keys replicas share (session/StateKeys), or null
 * @param drain how long a stop keeps serving with {@code /readyz} at 503 before it closes the
 *     listener, so load balancers move away first; zero for a daemon not behind one
 * @param auth {@code [http.auth]}: OAuth access tokens instead of the static token; null when off
 */
public record HttpConfig(
    String host,
    int port,
    String token,
    List<String> allowedOrigins,
    List<String> allowedHosts,
    int maxBodyBytes,
    Duration keepalive,
    int streamBufferBytes,
    Duration sessionIdle,
    Duration idleTimeout,
    Duration readTimeout,
    int maxConnections,
    Path stateKeyFile,
    Duration drain,
    HttpAuthConfig auth) {

  /** Without {@code [http.auth]}. */
  public HttpConfig(
      String host,
      int port,
      String token,
      List<String> allowedOrigins,
      List<String> allowedHosts,
      int maxBodyBytes,
      Duration keepalive,
      int streamBufferBytes,
      Duration sessionIdle,
      Duration idleTimeout,
      Duration readTimeout,
      int maxConnections,
      Path stateKeyFile,
      Duration drain) {
    this(
        host,
        port,
        token,
        allowedOrigins,
        allowedHosts,
        maxBodyBytes,
        keepalive,
        streamBufferBytes,
        sessionIdle,
        idleTimeout,
        readTimeout,
        maxConnections,
        stateKeyFile,
        drain,
        null);
  }

  public static final String DEFAULT_HOST = "127.0.0.1";
  public static final int DEFAULT_PORT = 8765;
  public static final int DEFAULT_MAX_BODY_BYTES = 4 * 1024 * 1024;
  public static final Duration DEFAULT_KEEPALIVE = Duration.ofSeconds(15);
  public static final int DEFAULT_STREAM_BUFFER_BYTES = 1024 * 1024;
  public static final Duration DEFAULT_SESSION_IDLE = Duration.ofMinutes(30);
  public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofSeconds(60);
  public static final Duration DEFAULT_READ_TIMEOUT = Duration.ofSeconds(30);
  public static final int DEFAULT_MAX_CONNECTIONS = 1000;

  /** Overrides {@code [http] token}, so a secret need not be written into a file. */
  public static final String TOKEN_ENV = "TANDEM_HTTP_TOKEN";

  public static HttpConfig defaults(String envToken) {
    return new HttpConfig(
        DEFAULT_HOST,
        DEFAULT_PORT,
        blankToNull(envToken),
        List.of(),
        List.of(),
        DEFAULT_MAX_BODY_BYTES,
        DEFAULT_KEEPALIVE,
        DEFAULT_STREAM_BUFFER_BYTES,
        DEFAULT_SESSION_IDLE,
        DEFAULT_IDLE_TIMEOUT,
        DEFAULT_READ_TIMEOUT,
        0,
        null,
        Duration.ZERO);
  }

  /**
   * The same settings bound elsewhere: {@code --http HOST:PORT} wins over {@code [http] listen}.
   */
  public HttpConfig listeningOn(String newHost, int newPort) {
    return new HttpConfig(
        newHost,
        newPort,
        token,
        allowedOrigins,
        allowedHosts,
        maxBodyBytes,
        keepalive,
        streamBufferBytes,
        sessionIdle,
        idleTimeout,
        readTimeout,
        maxConnections,
        stateKeyFile,
        drain,
        auth);
  }

  /** {@code [http] token = ""}: the operator asked for a server without a token. */
  public boolean open() {
    return token != null && token.isEmpty();
  }

  public HttpConfig withToken(String newToken) {
    return new HttpConfig(
        host,
        port,
        newToken,
        allowedOrigins,
        allowedHosts,
        maxBodyBytes,
        keepalive,
        streamBufferBytes,
        sessionIdle,
        idleTimeout,
        readTimeout,
        maxConnections,
        stateKeyFile,
        drain,
        auth);
  }

  public HttpConfig withAuth(HttpAuthConfig newAuth) {
    return new HttpConfig(
        host,
        port,
        token,
        allowedOrigins,
        allowedHosts,
        maxBodyBytes,
        keepalive,
        streamBufferBytes,
        sessionIdle,
        idleTimeout,
        readTimeout,
        maxConnections,
        stateKeyFile,
        drain,
        newAuth);
  }

  static String blankToNull(String s) {
    return s == null || s.isBlank() ? null : s;
  }

  @Override
  public String toString() {
    // A record's toString would print the token into any log line that shows the config.
    return "HttpConfig["
        + host
        + ":"
        + port
        + ", token "
        + (auth != null
            ? "none (OAuth)"
            : token == null ? "generated" : token.isEmpty() ? "none" : "set")
        + ", allowedOrigins "
        + allowedOrigins
        + ", allowedHosts "
        + allowedHosts
        + (auth == null ? "" : ", " + auth)
        + "]";
  }
}
