package dev.tandem.supervisor.transport.http;

import dev.tandem.supervisor.session.Secure;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The live HTTP sessions by {@code Mcp-Session-Id}. Ids are 256 random bits from
 * {@link SecureRandom}, base64url: unguessable (the transport page asks for "cryptographically
 * secure" ids, since holding one is holding the session) and visible ASCII only. A deleted or
 * expired id is simply absent, so it answers 404 like one that never existed.
 */
final class HttpSessions {

  /** A bound on what idle or abandoned clients can make the daemon hold; initialize past it gets 503. */
  static final int MAX_SESSIONS = 1000;

  private final Map<String, HttpSession> byId = new ConcurrentHashMap<>();
  private final SessionFactory factory;

  HttpSessions(SessionFactory factory) {
    this.factory = factory;
  }

  /** A session not yet findable: it is registered once its {@code initialize} succeeds. */
  HttpSession create() {
    byte[] bytes = new byte[32];
    Secure.RANDOM.nextBytes(bytes);
    return new HttpSession(Base64.getUrlEncoder().withoutPadding().encodeToString(bytes), factory);
  }

  boolean register(HttpSession session) {
    if (byId.size() >= MAX_SESSIONS) return false;
    byId.put(session.id(), session);
    return true;
  }

  HttpSession find(String id) {
    return id == null ? null : byId.get(id);
  }

  HttpSession remove(String id) {
    return id == null ? null : byId.remove(id);
  }

  /** Closes sessions a client abandoned without DELETE: nothing open or running for {@code idle}. */
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
    return CompletableFuture.allOf(byId.values().stream().map(HttpSession::drained).toArray(CompletableFuture[]::new));
  }

  void closeAll(String why) {
    for (HttpSession s : List.copyOf(byId.values())) {
      byId.remove(s.id(), s);
      s.close(why);
    }
  }
}
