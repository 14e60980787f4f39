package dev.tandem.supervisor.session;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.protocol.Json;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * Who an OAuth access token speaks for, once the HTTP transport validated it: the authorization
 * server that issued it, the subject, the client it was issued to, its scopes and when it expires.
 * Never the token itself, so nothing downstream (sessions, workers, logs) can replay it.
 *
 * <p>Sessions, suspended calls and (later) tasks are bound to {@link #key()}: the same subject of
 * the same issuer finds them again with a refreshed token, anyone else gets "not found".
 *
 * @param clientId the OAuth client the token was issued to; null when the token does not say
 * @param expiresAt null when the token does not say
 */
public record Principal(
    String issuer, String subject, String clientId, Set<String> scopes, Instant expiresAt) {

  /** The {@code _meta} key the worker reads into {@code ctx.principal}. */
  public static final String META_KEY = "tandem/principal";

  public Principal {
    scopes = Set.copyOf(scopes);
  }

  /** What state is bound to: an issuer's subject, whichever of its tokens is presented. */
  public String key() {
    return "oauth:" + issuer + "#" + subject;
  }

  /** The scopes of {@code required} this principal lacks, in order; empty when it has them all. */
  public List<String> missing(Collection<String> required) {
    return required.stream().filter(s -> !scopes.contains(s)).distinct().toList();
  }

  /**
   * Removes a {@link #META_KEY} a client put in {@code params._meta} itself: only a transport that
   * checked a token may set it.
   */
  public static void dropClaimed(ObjectNode params) {
    if (params != null && params.get("_meta") instanceof ObjectNode meta) meta.remove(META_KEY);
  }

  /** What a worker sees: subject, scopes, client id, issuer, expiry (epoch seconds). */
  public ObjectNode toJson() {
    ObjectNode o = Json.object();
    o.put("subject", subject);
    ArrayNode s = o.putArray("scopes");
    new TreeSet<>(scopes).forEach(s::add);
    if (clientId != null) o.put("clientId", clientId);
    o.put("issuer", issuer);
    if (expiresAt != null) o.put("expiresAt", expiresAt.getEpochSecond());
    return o;
  }
}
