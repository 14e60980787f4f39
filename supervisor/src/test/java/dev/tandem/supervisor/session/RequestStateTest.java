package dev.tandem.supervisor.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tandem.protocol.Json;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The requestState token: what it lets through, and each forgery or reuse it refuses. */
class RequestStateTest {

  private final AtomicLong now = new AtomicLong(1_000_000);
  private final RequestState state =
      new RequestState(
          new Clock() {
            @Override
            public ZoneOffset getZone() {
              return ZoneOffset.UTC;
            }

            @Override
            public Clock withZone(java.time.ZoneId zone) {
              return this;
            }

            @Override
            public Instant instant() {
              return Instant.ofEpochMilli(now.get());
            }

            @Override
            public long millis() {
              return now.get();
            }
          });

  private static JsonNode params(String json) throws Exception {
    return Json.MAPPER.readTree(json);
  }

  @Test
  void aTokenResumesTheCallAndRoundItNamed() throws Exception {
    JsonNode p = params("{\"name\": \"ask\", \"arguments\": {\"q\": 1}}");
    String token = state.issue("call-7", 2, "tools/call", p, "alice", 60_000);
    assertEquals(
        new RequestState.Claims("call-7", 2), state.verify(token, "tools/call", p, "alice"));
  }

  @Test
  void theRetryMayReorderKeysAndCarryItsAnswersAndMeta() throws Exception {
    String token =
        state.issue(
            "h",
            1,
            "tools/call",
            params(
                "{\"name\": \"ask\", \"arguments\": {\"a\": 1, \"b\": [1, {\"x\": 2, \"y\": 3}]}}"),
            "p",
            60_000);
    JsonNode retry =
        params(
            "{\"arguments\": {\"b\": [1, {\"y\": 3, \"x\": 2}], \"a\": 1}, \"name\": \"ask\","
                + " \"_meta\": {\"progressToken\": 9}, \"inputResponses\": {\"k\": {}}, \"requestState\": \"whatever\"}");
    assertEquals("h", state.verify(token, "tools/call", retry, "p").handle());
  }

  @Test
  void theTokenCarriesTheAnswersOfEarlierRoundsForAnotherReplica() throws Exception {
    JsonNode p = params("{\"name\": \"ask\"}");
    JsonNode answers =
        params("{\"name\": {\"action\": \"accept\", \"content\": {\"n\": \"Ada\"}}}");
    String token = state.issue("h", 1, "tools/call", p, "p", 60_000, answers);
    assertEquals(
        new RequestState.Claims("h", 1, answers), state.verify(token, "tools/call", p, "p"));
  }

  @Test
  void anAlteredTokenFailsItsIntegrityCheck() throws Exception {
    JsonNode p = params("{\"name\": \"ask\"}");
    String token = state.issue("h", 1, "tools/call", p, "p", 60_000);
    int dot = token.indexOf('.');
    // Same signature over a body that names another call.
    String forged =
        java.util.Base64.getUrlEncoder()
                .withoutPadding()
                .encodeToString(
                    new String(java.util.Base64.getUrlDecoder().decode(token.substring(0, dot)))
                        .replace("\"h\"", "\"H\"")
                        .getBytes())
            + token.substring(dot);
    var e =
        assertThrows(RequestState.Rejected.class, () -> state.verify(forged, "tools/call", p, "p"));
    assertTrue(e.getMessage().contains("integrity check"), e.getMessage());
  }

  @Test
  void anotherClientCannotPresentIt() throws Exception {
    JsonNode p = params("{\"name\": \"ask\"}");
    String token = state.issue("h", 1, "tools/call", p, "alice", 60_000);
    var e =
        assertThrows(
            RequestState.Rejected.class, () -> state.verify(token, "tools/call", p, "mallory"));
    assertTrue(e.getMessage().contains("different client"), e.getMessage());
  }

  @Test
  void itBelongsToOneMethodAndOneSetOfArguments() throws Exception {
    JsonNode p = params("{\"name\": \"ask\", \"arguments\": {\"q\": 1}}");
    String token = state.issue("h", 1, "tools/call", p, "p", 60_000);
    var otherArgs =
        assertThrows(
            RequestState.Rejected.class,
            () ->
                state.verify(
                    token,
                    "tools/call",
                    params("{\"name\": \"ask\", \"arguments\": {\"q\": 2}}"),
                    "p"));
    assertTrue(otherArgs.getMessage().contains("different request"), otherArgs.getMessage());
    var otherMethod =
        assertThrows(RequestState.Rejected.class, () -> state.verify(token, "prompts/get", p, "p"));
    assertTrue(otherMethod.getMessage().contains("different request"), otherMethod.getMessage());
  }

  @Test
  void itExpires() throws Exception {
    JsonNode p = params("{\"name\": \"ask\"}");
    String token = state.issue("h", 1, "tools/call", p, "p", 5_000);
    now.addAndGet(5_000);
    state.verify(token, "tools/call", p, "p");
    now.addAndGet(1);
    var e =
        assertThrows(RequestState.Rejected.class, () -> state.verify(token, "tools/call", p, "p"));
    assertTrue(e.getMessage().contains("expired"), e.getMessage());
  }

  @Test
  void garbageIsMalformedNotAnError() throws Exception {
    JsonNode p = params("{}");
    for (String junk : new String[] {"", "abc", ".", "x.y", "%%%.%%%"}) {
      var e =
          assertThrows(
              RequestState.Rejected.class, () -> state.verify(junk, "tools/call", p, "p"), junk);
      assertTrue(
          e.getMessage().contains("malformed") || e.getMessage().contains("integrity"),
          junk + ": " + e.getMessage());
    }
  }
}
