package dev.tandem.supervisor.transport.http;

import dev.tandem.supervisor.session.Principal;
import dev.tandem.supervisor.session.Secure;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The live HTTP sessions by {@code Mcp-Session-Id}. Ids are 256 random bits from {@link
 * SecureRandom}, base64url: unguessable (the transport page asks for "cryptographically secure"
 * ids, since holding one is holding the session) and visible ASCII only. A deleted or expired id is
 * simply absent, so it answers 404 like one that never existed.
 *
 * <p>The table is bounded ({@link #MAX_SESSIONS}) and so is each principal's share of it ({@link
 * #MAX_PER_PRINCIPAL}; a principal is a credential and a peer address, {@link #principalOf}), so
 * one client opening sessions in a loop cannot lock the others out for {@code session_idle_ms}. A
 * new session past a bound takes the place of an idle one (nothing running, no stream open), least
 * recently used first: past its own share, one of the same principal's; in a full table, one of the
 * principal holding the most. That session ends as if expired (404, and a client starts a new one,
 * as the transport page says). Only when none is idle is initialize refused (503): a session with a
 * call or a stream open is never taken away.
 */
final class HttpSessions {

  /** A bound on what idle or abandoned clients can make the daemon hold. */
  static final int MAX_SESSIONS = 1000;

  /**
   * A quarter of the table: at least four clients always fit whole, and a host behind one address
   * (every local process on loopback, a load balancer) still has hundreds of sessions.
   */
  static final int MAX_PER_PRINCIPAL = MAX_SESSIONS / 4;

  private final Map<String, HttpSession> byId = new ConcurrentHashMap<>();
  private final SessionFactory factory;

  HttpSessions(SessionFactory factory) {
    this.factory = factory;
  }

  /** A session not yet findable: it is registered once its {@code initialize} succeeds. */
  HttpSession create(String principal) {
    byte[] bytes = new byte[32];
    Secure.RANDOM.nextBytes(bytes);
    return new HttpSession(
        Base64.getUrlEncoder().withoutPadding().encodeToString(bytes), principal, factory);
  }

  /**
   * Who opens a session: the SHA-256 of its {@code Authorization} header (never the header itself)
   * or "anonymous", at the peer's address. Behind one token every client is the same principal per
   * address; without one, the address alone tells clients apart.
   */
  static String principalOf(HttpHeaders headers, SocketAddress peer, Principal oauth) {
    // An OAuth principal is its issuer's subject, wherever it connects from and whichever of its
    // (refreshed) tokens it presents.
    if (oauth != null) return oauth.key();
    String address =
        peer instanceof InetSocketAddress inet && inet.getAddress() != null
            ? inet.getAddress().getHostAddress()
            : String.valueOf(peer);
    String auth = headers.get(HttpHeaderNames.AUTHORIZATION);
    if (auth == null) return "anonymous@" + address;
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-256").digest(auth.getBytes(StandardCharsets.UTF_8));
      return "bearer:" + HexFormat.of().formatHex(digest, 0, 8) + "@" + address;
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java runtime has SHA-256", e);
    }
  }

  /**
   * Makes {@code session} findable, first ending an idle session if a bound is reached (see the
   * class comment). Returns null when registered, else why not, for the 503.
   */
  synchronized String register(HttpSession session) {
    List<HttpSession> own =
        byId.values().stream().filter(s -> s.principal().equals(session.principal())).toList();
    if (own.size() >= MAX_PER_PRINCIPAL) {
      HttpSession victim = leastRecentlyUsedIdle(own);
      if (victim == null) {
        return "this client already holds "
            + MAX_PER_PRINCIPAL
            + " sessions, each with a call or a stream open; "
            + "end unused ones with DELETE";
      }
      evict(
          victim,
          "its client opened more than "
              + MAX_PER_PRINCIPAL
              + " sessions; this was its least recently used idle one");
    } else if (byId.size() >= MAX_SESSIONS) {
      HttpSession victim = idleOfTheLargestPrincipal();
      if (victim == null) {
        return "this server already holds "
            + MAX_SESSIONS
            + " sessions, each with a call or a stream open; "
            + "end unused ones with DELETE";
      }
      evict(
          victim,
          "the server holds "
              + MAX_SESSIONS
              + " sessions; this was the least recently used idle one of the client holding the most");
    }
    byId.put(session.id(), session);
    return null;
  }

  private HttpSession idleOfTheLargestPrincipal() {
    Map<String, List<HttpSession>> byPrincipal = new HashMap<>();
    for (HttpSession s : byId.values())
      byPrincipal.computeIfAbsent(s.principal(), k -> new ArrayList<>()).add(s);
    List<List<HttpSession>> largestFirst = new ArrayList<>(byPrincipal.values());
    largestFirst.sort(Comparator.comparingInt((List<HttpSession> l) -> l.size()).reversed());
    for (List<HttpSession> sessions : largestFirst) {
      HttpSession victim = leastRecentlyUsedIdle(sessions);
      if (victim != null) return victim;
    }
    return null;
  }

  private static HttpSession leastRecentlyUsedIdle(List<HttpSession> sessions) {
    HttpSession best = null;
    for (HttpSession s : sessions) {
      if (s.idleLongerThan(Duration.ZERO)
          && (best == null || s.lastActive() - best.lastActive() < 0)) best = s;
    }
    return best;
  }

  private void evict(HttpSession victim, String why) {
    if (byId.remove(victim.id(), victim)) victim.close(why);
  }

  HttpSession find(String id) {
    return id == null ? null : byId.get(id);
  }

  /**
   * The session {@code id} names if {@code oauth} opened it: under OAuth another principal holding
   * the id gets "not found", exactly as for an id that never existed.
   */
  HttpSession find(String id, Principal oauth) {
    HttpSession s = find(id);
    return s == null || oauth == null || s.principal().equals(oauth.key()) ? s : null;
  }

  HttpSession remove(String id, Principal oauth) {
    HttpSession s = find(id, oauth);
    return s != null && byId.remove(id, s) ? s : null;
  }

  /**
   * Closes sessions a client abandoned without DELETE: nothing open or running for {@code idle}.
   */
  void expireIdle(Duration idle) {
    for (HttpSession s : List.copyOf(byId.values())) {
      if (s.idleLongerThan(idle) && byId.remove(s.id(), s)) {
        s.close("idle for more than " + idle.toSeconds() + " s ([http] session_idle_ms)");
      }
    }
  }

  int size() {
    return byId.size();
  }

  int inFlight() {
    return byId.values().stream().mapToInt(HttpSession::inFlight).sum();
  }

  CompletableFuture<Void> drained() {
    return CompletableFuture.allOf(
        byId.values().stream().map(HttpSession::drained).toArray(CompletableFuture[]::new));
  }

  void closeAll(String why) {
    for (HttpSession s : List.copyOf(byId.values())) {
      byId.remove(s.id(), s);
      s.close(why);
    }
  }
}
