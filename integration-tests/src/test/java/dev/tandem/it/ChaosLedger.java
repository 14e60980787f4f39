package dev.tandem.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Every answer a stdio daemon writes, filed by id on a thread of its own until its stdout ends:
 * unlike {@link Answers}, a missing answer is a count, not a failure, and the status requests a
 * scenario makes while it waits go through the same reader.
 */
final class ChaosLedger {

  private final DaemonProcess daemon;
  private final Map<String, List<JsonNode>> byId = new HashMap<>();
  private final AtomicInteger serial = new AtomicInteger();
  private final Thread reader;
  private boolean ended;

  ChaosLedger(DaemonProcess daemon) {
    this.daemon = daemon;
    this.reader = Thread.ofPlatform().daemon().name("chaos-ledger").start(this::read);
  }

  private void read() {
    try {
      while (true) {
        JsonNode frame = daemon.poll(Duration.ofMillis(200));
        if (frame == null) {
          if (!daemon.process().isAlive() && daemon.poll(Duration.ofMillis(500)) == null) break;
          continue;
        }
        JsonNode id = frame.get("id");
        if (id == null || !(frame.has("result") || frame.has("error"))) continue;
        synchronized (this) {
          byId.computeIfAbsent(id.asText(), k -> new ArrayList<>()).add(frame);
          notifyAll();
        }
      }
    } catch (InterruptedException e) {
      // stopped
    } finally {
      synchronized (this) {
        ended = true;
        notifyAll();
      }
    }
  }

  void send(String id, String tool, ObjectNode arguments) throws IOException {
    daemon.send(Answers.toolCall(id, tool, arguments));
  }

  /** Waits until every id has an answer or the deadline passes; true if all came. */
  synchronized boolean awaitAll(Collection<String> ids, Duration deadline)
      throws InterruptedException {
    long end = System.nanoTime() + deadline.toNanos();
    for (String id : ids) {
      while (!byId.containsKey(id)) {
        long left = (end - System.nanoTime()) / 1_000_000;
        if (left <= 0 || ended) return false;
        wait(left);
      }
    }
    return true;
  }

  synchronized JsonNode await(String id, Duration deadline) throws InterruptedException {
    return awaitAll(List.of(id), deadline) ? byId.get(id).get(0) : null;
  }

  /** tandem/status's entry for a pool, or an empty object if the daemon does not answer. */
  JsonNode pool(String name) throws Exception {
    String id = "chaos-status-" + serial.incrementAndGet();
    daemon.send(
        DaemonProcess.JSON
            .createObjectNode()
            .put("jsonrpc", "2.0")
            .put("id", id)
            .put("method", "tandem/status"));
    JsonNode answer = await(id, Duration.ofSeconds(30));
    synchronized (this) {
      byId.remove(id);
    }
    if (answer != null) {
      for (JsonNode pool : answer.path("result").path("pools"))
        if (pool.path("name").asText().equals(name)) return pool;
    }
    return DaemonProcess.JSON.createObjectNode();
  }

  /** Waits for the reader to reach the end of the daemon's stdout, then returns every answer. */
  synchronized Map<String, List<JsonNode>> untilEnd(Duration deadline) throws InterruptedException {
    long end = System.nanoTime() + deadline.toNanos();
    while (!ended) {
      long left = (end - System.nanoTime()) / 1_000_000;
      if (left <= 0) break;
      wait(left);
    }
    return Map.copyOf(byId);
  }
}
