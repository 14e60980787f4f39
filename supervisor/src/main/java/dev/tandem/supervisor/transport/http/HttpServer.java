package dev.tandem.supervisor.transport.http;

import dev.tandem.supervisor.config.HttpConfig;
import dev.tandem.supervisor.log.Log;
import dev.tandem.supervisor.session.StatelessServer;
import dev.tandem.supervisor.transport.http.auth.ResourceServer;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpResponseEncoder;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.util.ResourceLeakDetector;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;

/**
 * Streamable HTTP on Netty: one port serving the MCP endpoint {@code /mcp} and the side (admin)
 * endpoints. Each connection's pipeline is one step per handler, in the order a request needs them:
 *
 * <pre>
 * ConnectionClock.bytes → HttpServerCodec → ConnectionClock.messages (idle: close; slow: 408)
 *   → RequestSyntax (400/414/431) → OriginGuard (Host/Origin: 400/403)
 *   → OAuthDiscovery (404) → BearerTokenGuard (401)   | [http.auth]: OAuthGuard (401/403/503)
 *   → BodyLimit (413)
 *   → Endpoints → /mcp (McpEndpoint) | side endpoints | 404
 * </pre>
 *
 * The guards look at the request head only, so a refused client's body is never buffered. A
 * connection past {@code [http] max_connections} gets a 503 instead ({@link ConnectionCap}), and a
 * failed accept pauses the listener instead of ending it ({@link AcceptErrors}).
 */
public final class HttpServer {

  static final int MAX_INITIAL_LINE = 8 * 1024;
  static final int MAX_HEADER_BYTES = 16 * 1024;

  private final HttpConfig config;
  private final HttpSessions sessions;
  private final StatelessServer stateless;
  private final SideEndpoints side;
  private final EventLoopGroup acceptor =
      new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
  private final EventLoopGroup io = new MultiThreadIoEventLoopGroup(0, NioIoHandler.newFactory());
  private final ChannelGroup connections =
      new DefaultChannelGroup("tandem-http", GlobalEventExecutor.INSTANCE);
  private Channel listener;
  private volatile ResourceServer oauth;
  private final AtomicReference<CallAuthorization> authorization =
      new AtomicReference<>(CallAuthorization.NONE);
  private Function<String, String> poolOfTool = tool -> null;

  public HttpServer(
      HttpConfig config, SessionFactory factory, StatelessServer stateless, SideEndpoints side) {
    this.config = config;
    this.sessions = new HttpSessions(factory);
    this.stateless = stateless;
    this.side = side;
  }

  /**
   * Netty's leak detector samples one buffer in 128 and fills in two stack traces for each (on the
   * event loop, under C1 tens of microseconds each): a development aid, off unless asked for with
   * {@code -Dio.netty.leakDetection.level} (through {@code TANDEM_JAVA_OPTS}).
   */
  private static void leakDetectionOnlyIfAsked() {
    if (System.getProperty("io.netty.leakDetection.level") == null
        && System.getProperty("io.netty.leakDetectionLevel") == null) {
      ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.DISABLED);
    }
  }

  /** Binds and starts serving; returns the bound address (the real port when 0 was asked for). */
  public InetSocketAddress start() throws InterruptedException, UnknownHostException {
    leakDetectionOnlyIfAsked();
    InetAddress address = InetAddress.getByName(config.host());
    McpEndpoint mcp =
        new McpEndpoint(
            sessions,
            config.keepalive(),
            new StatelessEndpoint(stateless, config.keepalive()),
            authorization::get);
    int high = config.streamBufferBytes();
    ConnectionCap cap = new ConnectionCap(ConnectionCap.effective(config.maxConnections()));
    ServerBootstrap bootstrap =
        new ServerBootstrap()
            .group(acceptor, io)
            .channel(NioServerSocketChannel.class)
            .handler(
                new ChannelInitializer<ServerChannel>() {
                  @Override
                  protected void initChannel(ServerChannel ch) {
                    ch.pipeline().addLast(new AcceptErrors(cap::open), cap.admission());
                  }
                })
            .childOption(
                ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(high / 2, high))
            .childHandler(
                new ChannelInitializer<SocketChannel>() {
                  @Override
                  protected void initChannel(SocketChannel ch) {
                    ChannelPipeline p = ch.pipeline();
                    if (ConnectionCap.refused(ch)) {
                      p.addLast("encoder", new HttpResponseEncoder());
                      p.addLast("refusal", cap.refusal());
                      return;
                    }
                    connections.add(ch);
                    ConnectionClock clock =
                        new ConnectionClock(config.idleTimeout(), config.readTimeout());
                    p.addLast("clock-bytes", clock.bytes());
                    p.addLast(
                        "codec", new HttpServerCodec(MAX_INITIAL_LINE, MAX_HEADER_BYTES, 8192));
                    p.addLast("clock", clock.messages());
                    p.addLast("syntax", new RequestSyntax());
                    p.addLast(
                        "origin",
                        new OriginGuard(
                            config.host(), config.allowedOrigins(), config.allowedHosts()));
                    if (config.auth() != null) {
                      ResourceServer rs = oauth;
                      if (rs == null) { // accepted before start() finished
                        ch.close();
                        return;
                      }
                      p.addLast("oauth", new OAuthGuard(rs));
                    } else {
                      p.addLast("oauth", new OAuthDiscovery(config.token() != null));
                      if (config.token() != null)
                        p.addLast("token", new BearerTokenGuard(config.token()));
                    }
                    p.addLast("body", new BodyLimit(config.maxBodyBytes()));
                    p.addLast("endpoints", new Endpoints(mcp, side));
                  }
                });
    listener = bootstrap.bind(address, config.port()).sync().channel();
    InetSocketAddress bound = (InetSocketAddress) listener.localAddress();
    if (config.auth() != null) {
      URI resource = ResourceServer.resourceFor(config.auth(), mcpUrl(config.host(), bound));
      oauth = new ResourceServer(config.auth(), resource, Clock.systemUTC());
      oauth.poolOfTool(poolOfTool);
      authorization.set(CallAuthorization.of(oauth));
      Log.info(
          "OAuth: accepting access tokens of "
              + config.auth().issuer()
              + " for "
              + oauth.resource()
              + " (metadata at "
              + oauth.metadataUrl()
              + ")");
    }
    if (!bound.getAddress().isLoopbackAddress()) {
      Log.warn(
          "listening on "
              + bound.getAddress().getHostAddress()
              + ", which is not loopback: anyone who can reach it may call tools"
              + (config.token() == null && config.auth() == null
                  ? "; set [http] token (or TANDEM_HTTP_TOKEN) or [http.auth]"
                  : "")
              + "; requests must name an [http] allowed_hosts host");
    }
    long sweep = Math.max(1000, Math.min(60_000, config.sessionIdle().toMillis() / 2));
    io.next()
        .scheduleAtFixedRate(
            () -> sessions.expireIdle(config.sessionIdle()), sweep, sweep, TimeUnit.MILLISECONDS);
    return bound;
  }

  /** Where a tool is served (the router's catalog), for {@code [http.auth] pool_scopes}. */
  public void poolOfTool(Function<String, String> lookup) {
    this.poolOfTool = lookup;
  }

  /** The URL of the MCP endpoint, as a client should be given it. */
  public static String mcpUrl(String host, InetSocketAddress bound) {
    String h = host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host;
    return "http://" + h + ":" + bound.getPort() + Endpoints.MCP_PATH;
  }

  /**
   * Stops accepting connections; open ones keep being served so calls in flight can answer. Never
   * throws: shutdown must get past this whatever state the event loops are in (one that died or was
   * already shut rejects the close task).
   */
  public void stopAccepting() {
    Channel l = listener;
    if (l == null) return;
    try {
      l.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
    } catch (RuntimeException e) {
      Log.debug("http: closing the listening socket: " + e);
    }
  }

  public int sessionCount() {
    return sessions.size();
  }

  public int inFlight() {
    return sessions.inFlight();
  }

  /** Completes when no call of any HTTP session is in flight. */
  public CompletableFuture<Void> drained() {
    return sessions.drained();
  }

  /**
   * Ends every session (cancelling what still runs), closes every connection and the event loops.
   */
  public void close(Duration grace) {
    stopAccepting();
    try {
      sessions.closeAll("the server is shutting down");
      connections.close().awaitUninterruptibly(grace.toMillis());
    } catch (RuntimeException e) {
      Log.debug("http: closing the connections: " + e);
    } finally {
      io.shutdownGracefully(0, grace.toMillis(), TimeUnit.MILLISECONDS);
      acceptor.shutdownGracefully(0, grace.toMillis(), TimeUnit.MILLISECONDS);
    }
  }
}
