package dev.tandem.supervisor.session;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.protocol.Json;
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
 * replay. The key is random per process: a restarted daemon has no suspended calls.
 */
public final class RequestState {

  /** What a verified token says. */
  public record Claims(String handle, int round) {}

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

  /**
   * The process's key, made on the first 2026-07-28 call that needs it, not at start (see {@link
   * Secure}).
   */
  private static final class Key {
    static final SecretKeySpec HMAC = hmacKey();

    private static SecretKeySpec hmacKey() {
      byte[] secret = new byte[32];
      Secure.RANDOM.nextBytes(secret);
      return new SecretKeySpec(secret, "HmacSHA256");
    }
  }

  private final Clock clock;

  public RequestState(Clock clock) {
    this.clock = clock;
  }

  public String issue(
      String handle, int round, String method, JsonNode params, String principal, long ttlMs) {
    ObjectNode claims = Json.object();
    claims.put("h", handle);
    claims.put("r", round);
    claims.put("m", method);
    claims.put("d", digest(params));
    claims.put("p", principal);
    claims.put("e", clock.millis() + ttlMs);
    byte[] body = claims.toString().getBytes(StandardCharsets.UTF_8);
    return B64.encodeToString(body) + "." + B64.encodeToString(mac(body));
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
    if (!MessageDigest.isEqual(signature, mac(body))) {
      throw new Rejected(
          "requestState failed its integrity check (it was altered or not issued by this server)");
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
    return new Claims(claims.path("h").asText(), claims.path("r").asInt());
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
    try {
      byte[] canonical =
          Canonical.MAPPER.writeValueAsBytes(Canonical.MAPPER.convertValue(salient, Map.class));
      return B64.encodeToString(MessageDigest.getInstance("SHA-256").digest(canonical));
    } catch (IOException | GeneralSecurityException e) {
      throw new IllegalStateException("cannot digest request parameters", e);
    }
  }

  private byte[] mac(byte[] body) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(Key.HMAC);
      return mac.doFinal(body);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is unavailable", e);
    }
  }
}
