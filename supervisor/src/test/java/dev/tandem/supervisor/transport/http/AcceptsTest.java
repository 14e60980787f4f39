package dev.tandem.supervisor.transport.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class AcceptsTest {

  @Test
  void readsWhatTheSdkSends() {
    assertEquals(new Accepts(true, true), Accepts.of("application/json, text/event-stream"));
    assertEquals(new Accepts(false, true), Accepts.of("text/event-stream"));
    assertEquals(new Accepts(true, false), Accepts.of("application/json;q=0.9"));
  }

  @Test
  void noHeaderOrWildcardAcceptsBothAndQZeroRefuses() {
    assertEquals(new Accepts(true, true), Accepts.of(null));
    assertEquals(new Accepts(true, true), Accepts.of("*/*"));
    assertEquals(new Accepts(false, true), Accepts.of("text/event-stream, application/json;q=0"));
    assertEquals(new Accepts(false, false), Accepts.of("text/html"));
  }

  @Test
  void contentTypeIsJsonWhateverItsCharset() {
    assertTrue(Accepts.isJson("application/json"));
    assertTrue(Accepts.isJson("Application/JSON; charset=utf-8"));
    assertFalse(Accepts.isJson("text/plain"));
    assertFalse(Accepts.isJson(null));
  }
}
