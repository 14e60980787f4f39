package dev.tandem.it;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What one era's load sent and got back, by JSON-RPC id (every request its own id, a retry after a
 * 404 too): a call is lost when no answer ever carried its id, answered twice when two did, failed
 * when its answer was not the right result. Ids are counted from every message of every response,
 * so a duplicate inside one SSE stream counts as much as one on another connection.
 */
final class CallLedger {

  final String era;
  private final Set<String> sent = ConcurrentHashMap.newKeySet();
  private final ConcurrentHashMap<String, AtomicInteger> answers = new ConcurrentHashMap<>();
  final AtomicInteger ok = new AtomicInteger();
  final AtomicInteger reinitialized = new AtomicInteger();
  final List<String> failures = new CopyOnWriteArrayList<>();

  CallLedger(String era) {
    this.era = era;
  }

  void sent(String id) {
    if (!sent.add(id)) throw new IllegalArgumentException("id sent twice by the test: " + id);
  }

  /** Every JSON-RPC response among {@code messages} (notifications carry no id). */
  void answered(List<JsonNode> messages) {
    for (JsonNode m : messages) {
      if (m.has("id") && (m.has("result") || m.has("error"))) answered(m.get("id").asText());
    }
  }

  /** An answer not in a JSON-RPC body: a 404 saying the session is gone, so the call never ran. */
  void answered(String id) {
    answers.computeIfAbsent(id, k -> new AtomicInteger()).incrementAndGet();
  }

  void failed(String what) {
    failures.add(what);
  }

  int sentCount() {
    return sent.size();
  }

  long lost() {
    return sent.stream().filter(id -> !answers.containsKey(id)).count();
  }

  long answeredTwice() {
    return answers.values().stream().filter(n -> n.get() > 1).count();
  }

  /** Answers to ids this client never sent. */
  long strays() {
    return answers.keySet().stream().filter(id -> !sent.contains(id)).count();
  }

  String figures() {
    return String.format(
        "%s: %d sent, %d answered right, %d failed, %d lost, %d answered twice, %d stray,"
            + " %d re-initializations after a 404",
        era,
        sentCount(),
        ok.get(),
        failures.size(),
        lost(),
        answeredTwice(),
        strays(),
        reinitialized.get());
  }
}
