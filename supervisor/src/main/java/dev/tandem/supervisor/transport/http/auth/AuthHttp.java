package dev.tandem.supervisor.transport.http.auth;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tandem.protocol.Json;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * The daemon's calls to an authorization server (metadata, keys, introspection): asynchronous, so
 * no Netty event loop ever waits on the network, and bounded in time, so an authorization server
 * that hangs costs a 503 rather than a stuck request.
 */
final class AuthHttp {

  static final Duration TIMEOUT = Duration.ofSeconds(10);

  private static final HttpClient CLIENT =
      HttpClient.newBuilder()
          .connectTimeout(Duration.ofSeconds(5))
          .followRedirects(HttpClient.Redirect.NEVER)
          .build();

  /** A response's status and body parsed as JSON (null when the body is not JSON). */
  record Answer(int status, JsonNode body) {}

  private AuthHttp() {}

  static CompletableFuture<Answer> get(URI uri) {
    return send(
        HttpRequest.newBuilder(uri).timeout(TIMEOUT).header("Accept", "application/json").GET());
  }

  static CompletableFuture<Answer> postForm(URI uri, String form, String authorization) {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(uri)
            .timeout(TIMEOUT)
            .header("Accept", "application/json")
            .header("Content-Type", "application/x-www-form-urlencoded")
            .POST(HttpRequest.BodyPublishers.ofString(form));
    if (authorization != null) b.header("Authorization", authorization);
    return send(b);
  }

  private static CompletableFuture<Answer> send(HttpRequest.Builder request) {
    return CLIENT
        .sendAsync(request.build(), HttpResponse.BodyHandlers.ofByteArray())
        .thenApply(r -> new Answer(r.statusCode(), parse(r.body())));
  }

  private static JsonNode parse(byte[] body) {
    try {
      return body.length == 0 ? null : Json.MAPPER.readTree(body);
    } catch (IOException e) {
      return null;
    }
  }

  /** The failure a CompletableFuture stage wrapped. */
  static Throwable unwrap(Throwable t) {
    while ((t instanceof java.util.concurrent.CompletionException
            || t instanceof java.util.concurrent.ExecutionException)
        && t.getCause() != null) t = t.getCause();
    return t;
  }

  /** "connection refused", "timed out": the cause a failed exchange reports, for a log line. */
  static String reason(Throwable failure) {
    Throwable t = unwrap(failure);
    if (t instanceof TokenRefused) return t.getMessage();
    while (t.getCause() != null
        && (t instanceof java.util.concurrent.CompletionException || t.getMessage() == null))
      t = t.getCause();
    String m = t.getMessage();
    return t.getClass().getSimpleName() + (m == null || m.isBlank() ? "" : ": " + m);
  }
}
