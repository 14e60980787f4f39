package dev.tandem.supervisor.session;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.protocol.Json;
import dev.tandem.protocol.RawJson;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Clock;
import java.util.Base64;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The {@code requestState} of an {@code input_required} result: an HMAC-SHA256-signed token that
 * names the suspended call it resumes, the round it answers, the request it belongs to (method and
 * a digest of its parameters), the principal that may present it, and when it expires. The MRTR
 * page makes requestState attacker-controlled input; the signature stops forgery, the digest and
 * principal stop use on another request or by another client, the round number and expiry stop
 * replay. The keys are {@link StateKeys}: random per process unless replicas share them.
 *
 * <p>The token also carries the answers the host gave in earlier rounds, so a replica that never
 * saw the call can run it again from the start and answer its questions from them: a 2026-07-28
 * retry may land on any replica behind a load balancer (StatelessServer#roundTrip).
 */
public final class RequestState {

  /** What a verified token says. */
  public record Claims(String handle, int round, JsonNode answers) {
    public Claims(String handle, int round) {
      this(handle, round, Json.object());
    }
  }

  /** A token that must be refused; the message says which check it failed. */
  public static final class Rejected extends Exception {
    Rejected(String message) {
      super(message);
    }
  }

  private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();
  private static final Base64.Decoder B64D = Base64.getUrlDecoder();

  /** Sorted keys at every depth, so equal parameters always digest alike. */
  private static final class Canonical {
    static final ObjectMapper MAPPER =
        Json.MAPPER.copy().configure(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, true);
  }

  private final Clock clock;
  private final StateKeys keys;

  public RequestState(Clock clock) {
    this(clock, StateKeys.perProcess());
  }

  public RequestState(Clock clock, StateKeys keys) {
    this.clock = clock;
    this.keys = keys;
  }

  public String issue(
      String handle, int round, String method, JsonNode params, String principal, long ttlMs) {
    return issue(handle, round, method, params, principal, ttlMs, null);
  }

  /** {@code answers}: the host's answers of the rounds before this one, keyed as it sent them. */
  public String issue(
      String handle,
      int round,
      String method,
      JsonNode params,
      String principal,
      long ttlMs,
      JsonNode answers) {
    ObjectNode claims = Json.object();
    claims.put("h", handle);
    claims.put("r", round);
    claims.put("m", method);
    claims.put("d", digest(params));
    claims.put("p", principal);
    claims.put("e", clock.millis() + ttlMs);
    if (answers != null && !answers.isEmpty()) claims.set("a", answers);
    byte[] body = claims.toString().getBytes(StandardCharsets.UTF_8);
    return B64.encodeToString(body) + "." + B64.encodeToString(mac(keys.signing(), body));
  }

  public Claims verify(String token, String method, JsonNode params, String principal)
      throws Rejected {
    int dot = token.indexOf('.');
    byte[] body;
    byte[] signature;
    try {
      if (dot <= 0) throw new IllegalArgumentException("no signature");
      body = B64D.decode(token.substring(0, dot));
      signature = B64D.decode(token.substring(dot + 1));
    } catch (IllegalArgumentException e) {
      throw new Rejected(
          "requestState is malformed; send back the exact requestState tandem returned");
    }
    if (!signedByAnyKey(signature, body)) {
      throw new Rejected(
          keys.shared()
              ? "requestState failed its integrity check: it was altered, or signed with a key"
                  + " this server no longer holds; start the request again without it"
              : "requestState failed its integrity check: it was altered, or issued by another"
                  + " tandem replica (this one has a per-process key: give every replica the same "
                  + StateKeys.ENV
                  + " or [http] state_key_file)");
    }
    JsonNode claims;
    try {
      claims = Json.MAPPER.readTree(body);
    } catch (IOException e) {
      throw new Rejected("requestState is malformed");
    }
    if (!principal.equals(claims.path("p").asText())) {
      throw new Rejected("requestState was issued to a different client");
    }
    if (!method.equals(claims.path("m").asText())
        || !digest(params).equals(claims.path("d").asText())) {
      throw new Rejected(
          "requestState belongs to a different request: retry the same method with the same name and arguments");
    }
    if (clock.millis() > claims.path("e").asLong()) {
      throw new Rejected("requestState has expired; start the request again without it");
    }
    JsonNode answers = claims.get("a");
    return new Claims(
        claims.path("h").asText(),
        claims.path("r").asInt(),
        answers != null && answers.isObject() ? answers : Json.object());
  }

  /**
   * The salient parameters of a request: everything but the round-trip fields and {@code _meta},
   * which legitimately differ between the first request and its retries.
   */
  static String digest(JsonNode params) {
    ObjectNode salient =
        params == null || !params.isObject() ? Json.object() : ((ObjectNode) params).deepCopy();
    salient.remove("_meta");
    salient.remove("inputResponses");
    salient.remove("requestState");
    // Arguments that came as the host's bytes digest as their tree, so that equal JSON digests
    // alike however a host spaces it.
    if (salient.get("arguments") instanceof RawJson raw) salient.set("arguments", raw.tree());
    try {
      byte[] canonical =
          Canonical.MAPPER.writeValueAsBytes(Canonical.MAPPER.convertValue(salient, Map.class));
      return B64.encodeToString(MessageDigest.getInstance("SHA-256").digest(canonical));
    } catch (IOException | GeneralSecurityException e) {
      throw new IllegalStateException("cannot digest request parameters", e);
    }
  }

  private boolean signedByAnyKey(byte[] signature, byte[] body) {
    for (SecretKeySpec key : keys.all()) {
      if (MessageDigest.isEqual(signature, mac(key, body))) return true;
    }
    return false;
  }

  private static byte[] mac(SecretKeySpec key, byte[] body) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(key);
      return mac.doFinal(body);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is unavailable", e);
    }
  }
}
