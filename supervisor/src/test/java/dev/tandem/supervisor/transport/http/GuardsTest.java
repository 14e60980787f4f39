package dev.tandem.supervisor.transport.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The head-only checks of the pipeline, one EmbeddedChannel each: who is refused and how. */
class GuardsTest {

  private static FullHttpRequest post(String host, String origin, String auth) {
    FullHttpRequest r =
        new DefaultFullHttpRequest(
            HttpVersion.HTTP_1_1,
            HttpMethod.POST,
            "/mcp",
            Unpooled.copiedBuffer("{}", StandardCharsets.UTF_8));
    if (host != null) r.headers().set(HttpHeaderNames.HOST, host);
    if (origin != null) r.headers().set(HttpHeaderNames.ORIGIN, origin);
    if (auth != null) r.headers().set(HttpHeaderNames.AUTHORIZATION, auth);
    return r;
  }

  private static EmbeddedChannel origins(List<String> allowedOrigins, List<String> allowedHosts) {
    return new EmbeddedChannel(new OriginGuard("127.0.0.1", allowedOrigins, allowedHosts));
  }

  private static int refusedWith(EmbeddedChannel ch, Object request) {
    ch.writeInbound(request);
    FullHttpResponse r = ch.readOutbound();
    if (r == null) return 0;
    int status = r.status().code();
    String body = r.content().toString(StandardCharsets.UTF_8);
    assertTrue(
        body.contains("\"jsonrpc\":\"2.0\"")
            && body.contains("\"error\"")
            && !body.contains("\"id\""),
        body);
    r.release();
    return status;
  }

  @Test
  void loopbackHostsAndOriginsPass() {
    for (String host :
        List.of("127.0.0.1:8765", "localhost:8765", "[::1]:8765", "localhost", "127.0.0.2")) {
      EmbeddedChannel ch = origins(List.of(), List.of());
      assertEquals(0, refusedWith(ch, post(host, "http://localhost:6274", null)), host);
      FullHttpRequest passed = ch.readInbound();
      passed.release();
    }
  }

  @Test
  void foreignOriginIsForbidden() {
    assertEquals(
        403,
        refusedWith(
            origins(List.of(), List.of()), post("127.0.0.1:1", "http://evil.example", null)));
    assertEquals(
        403, refusedWith(origins(List.of(), List.of()), post("127.0.0.1:1", "null", null)));
    assertEquals(
        403,
        refusedWith(
            origins(List.of(), List.of()),
            post("127.0.0.1:1", "http://localhost.evil.example", null)));
  }

  @Test
  void configuredOriginIsAllowed() {
    EmbeddedChannel ch = origins(List.of("https://App.Example.com"), List.of());
    assertEquals(0, refusedWith(ch, post("127.0.0.1:1", "https://app.example.com", null)));
    ((FullHttpRequest) ch.readInbound()).release();
  }

  @Test
  void reboundHostIsForbiddenAndMissingHostIsBadRequest() {
    assertEquals(
        403, refusedWith(origins(List.of(), List.of()), post("evil.example:8765", null, null)));
    assertEquals(400, refusedWith(origins(List.of(), List.of()), post(null, null, null)));
  }

  @Test
  void configuredHostsAndTheWildcardAreAllowed() {
    EmbeddedChannel named = origins(List.of(), List.of("tandem.internal"));
    assertEquals(0, refusedWith(named, post("tandem.internal:8765", null, null)));
    EmbeddedChannel any = origins(List.of(), List.of("*"));
    assertEquals(0, refusedWith(any, post("whatever:1", null, null)));
  }

  @Test
  void probesSkipEveryGate() {
    EmbeddedChannel ch = new EmbeddedChannel(new BearerTokenGuard("t"));
    FullHttpRequest probe =
        new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/readyz");
    assertEquals(0, refusedWith(ch, probe));
    assertSame(probe, ch.readInbound());
  }

  @Test
  void tokenIsCheckedAndChallenged() {
    EmbeddedChannel ch = new EmbeddedChannel(new BearerTokenGuard("s3cret"));
    ch.writeInbound(post("127.0.0.1", null, null));
    FullHttpResponse missing = ch.readOutbound();
    assertEquals(401, missing.status().code());
    assertEquals(
        "Bearer realm=\"tandem\"", missing.headers().get(HttpHeaderNames.WWW_AUTHENTICATE));
    ch.writeInbound(post("127.0.0.1", null, "Bearer s3cre"));
    FullHttpResponse wrong = ch.readOutbound();
    assertEquals(401, wrong.status().code());
    assertTrue(wrong.headers().get(HttpHeaderNames.WWW_AUTHENTICATE).contains("invalid_token"));
    assertTrue(
        !wrong.content().toString(StandardCharsets.UTF_8).contains("s3cret"),
        "the token is never echoed");
    ch.writeInbound(post("127.0.0.1", null, "bearer s3cret"));
    assertNull(ch.readOutbound(), "the scheme is case-insensitive (RFC 7235)");
    ((FullHttpRequest) ch.readInbound()).release();
  }

  @Test
  void aRefusedRequestsBodyIsDiscardedNotPassedOn() {
    EmbeddedChannel ch = new EmbeddedChannel(new BearerTokenGuard("t"));
    HttpRequest head = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, "/mcp");
    HttpUtil.setTransferEncodingChunked(head, true);
    ch.writeInbound(head);
    assertEquals(401, ((FullHttpResponse) ch.readOutbound()).status().code());
    DefaultHttpContent chunk =
        new DefaultHttpContent(Unpooled.copiedBuffer("x".repeat(1000), StandardCharsets.UTF_8));
    ch.writeInbound(chunk);
    ch.writeInbound(new DefaultLastHttpContent());
    assertNull(ch.readInbound(), "nothing of the refused request goes further");
    assertEquals(0, chunk.refCnt(), "its body was released, not held");
    assertTrue(ch.isOpen(), "a keep-alive connection stays usable");
  }

  @Test
  void bodyOverTheLimitIs413WithAJsonRpcError() {
    EmbeddedChannel ch = new EmbeddedChannel(new BodyLimit(16));
    HttpRequest head = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, "/mcp");
    HttpUtil.setContentLength(head, 64);
    ch.writeInbound(head);
    FullHttpResponse r = ch.readOutbound();
    assertEquals(413, r.status().code());
    assertTrue(r.content().toString(StandardCharsets.UTF_8).contains("-32600"));
    assertTrue(r.content().toString(StandardCharsets.UTF_8).contains("16 bytes"));
    assertTrue(ch.isOpen(), "announced by Content-Length and not read: the connection is kept");
  }
}
