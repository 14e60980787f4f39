package dev.tandem.supervisor.transport.http;

import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * DNS-rebinding protection, the transport page's first security rule: a web page that got its own
 * name to resolve to 127.0.0.1 can make a browser send requests here, but the browser still names
 * the page's origin in {@code Origin} and the page's host in {@code Host}. So a request whose
 * {@code Origin} is present and not loopback (or configured) gets 403, and so does one whose {@code
 * Host} is not a loopback name, the bound host, or a configured one.
 */
final class OriginGuard extends Gate {

  private static final Set<String> LOOPBACK_NAMES =
      Set.of("localhost", "127.0.0.1", "::1", "[::1]");
  private static final Pattern LOOPBACK_V4 =
      Pattern.compile("127\\.\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}");

  private final String boundHost;
  private final Set<String> allowedOrigins;
  private final Set<String> allowedHosts;
  private final boolean anyHost;

  OriginGuard(String boundHost, List<String> allowedOrigins, List<String> allowedHosts) {
    this.boundHost = boundHost.toLowerCase(Locale.ROOT);
    this.allowedOrigins =
        allowedOrigins.stream().map(OriginGuard::normalizeOrigin).collect(Collectors.toSet());
    this.allowedHosts =
        allowedHosts.stream().map(h -> h.toLowerCase(Locale.ROOT)).collect(Collectors.toSet());
    this.anyHost = this.allowedHosts.contains("*");
  }

  @Override
  protected FullHttpResponse refuse(HttpRequest request) {
    String host = request.headers().get(HttpHeaderNames.HOST);
    if (host == null || host.isBlank()) {
      return HttpReplies.error(
          HttpResponseStatus.BAD_REQUEST,
          HttpReplies.REFUSED,
          "Bad Request: no Host header; HTTP/1.1 requires one");
    }
    if (!hostAllowed(host.trim().toLowerCase(Locale.ROOT))) {
      return HttpReplies.error(
          HttpResponseStatus.FORBIDDEN,
          HttpReplies.REFUSED,
          "Forbidden: Host \""
              + host
              + "\" is not this server's; to reach tandem under that name, add it to [http] allowed_hosts");
    }
    String origin = request.headers().get(HttpHeaderNames.ORIGIN);
    if (origin != null && !originAllowed(origin.trim())) {
      return HttpReplies.error(
          HttpResponseStatus.FORBIDDEN,
          HttpReplies.REFUSED,
          "Forbidden: Origin \""
              + origin
              + "\" may not call this server; to allow it, add it to [http] allowed_origins");
    }
    return null;
  }

  private boolean hostAllowed(String hostHeader) {
    if (anyHost || allowedHosts.contains(hostHeader)) return true;
    String name = withoutPort(hostHeader);
    return isLoopback(name) || name.equals(boundHost) || allowedHosts.contains(name);
  }

  private boolean originAllowed(String origin) {
    if (allowedOrigins.contains(normalizeOrigin(origin))) return true;
    try {
      URI uri = new URI(origin);
      String scheme = uri.getScheme();
      String host = uri.getHost();
      return host != null
          && ("http".equalsIgnoreCase(scheme) || "https".equalsIgnoreCase(scheme))
          && isLoopback(host.toLowerCase(Locale.ROOT));
    } catch (URISyntaxException e) {
      return false; // includes "null", the origin of sandboxed frames and file: pages
    }
  }

  private static boolean isLoopback(String name) {
    return LOOPBACK_NAMES.contains(name)
        || LOOPBACK_V4.matcher(name).matches()
        || name.endsWith(".localhost");
  }

  /** "host:port" → "host"; "[::1]:8765" → "[::1]"; a bare IPv6 literal is kept whole. */
  static String withoutPort(String hostHeader) {
    if (hostHeader.startsWith("[")) {
      int close = hostHeader.indexOf(']');
      return close < 0 ? hostHeader : hostHeader.substring(0, close + 1);
    }
    int colon = hostHeader.indexOf(':');
    return colon < 0 || hostHeader.indexOf(':', colon + 1) >= 0
        ? hostHeader
        : hostHeader.substring(0, colon);
  }

  private static String normalizeOrigin(String origin) {
    String o = origin.toLowerCase(Locale.ROOT);
    return o.endsWith("/") ? o.substring(0, o.length() - 1) : o;
  }
}
