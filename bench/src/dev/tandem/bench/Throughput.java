package dev.tandem.bench;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Pipelined calls of a trivial tool with a fixed number in flight: each answer read lets one more
 * request go, and requests answered in the same read are flushed together, so the driver spends a
 * write per batch, not per call. The three servers (bare, tandem with 1 and with 2 replicas) take
 * turns in rounds, rotating who goes first.
 */
final class Throughput {

  private static final String ARGS = "{\"text\":\"hello\"}";

  private Throughput() {}

  static void run(Servers servers, Report report, int window, long blockMillis, int rounds) throws IOException {
    try (Peer b = Peer.ready(servers.bare());
        Peer t1 = Peer.ready(servers.tandem("echo.toml"));
        Peer t2 = Peer.ready(servers.tandem("echo-2.toml"))) {
      Peer[] peers = {b, t1, t2};
      for (Peer p : peers) pipelined(p, window, blockMillis * 1_000_000L); // warm-up, not counted
      long[] errors = new long[3];
      List<List<Double>> perRound = List.of(new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
      for (int r = 0; r < rounds; r++) {
        for (int k = 0; k < 3; k++) {
          int which = (r + k) % 3;
          Block res = pipelined(peers[which], window, blockMillis * 1_000_000L);
          errors[which] += res.errors;
          perRound.get(which).add(res.calls / (res.nanos / 1e9));
        }
      }
      // Medians of the rounds: a burst of load from outside hits one server's block, not all three.
      double bare = median(perRound.get(0));
      double one = median(perRound.get(1));
      double two = median(perRound.get(2));
      String note = window + " in flight, median of " + rounds + " rounds of " + blockMillis + " ms each";
      report.add(new Report.Row("throughput_1", "echo throughput, 1 replica", "calls/s", one, bare, Report.Judge.RATIO_AT_LEAST, 0.6, note));
      report.add(new Report.Row("throughput_2", "echo throughput, 2 replicas", "calls/s", two, bare, Report.Judge.RATIO_ABOVE, 1.0, note));
      Map<String, Object> d = new LinkedHashMap<>();
      d.put("window", window);
      d.put("bare_per_round", perRound.get(0));
      d.put("tandem_1_per_round", perRound.get(1));
      d.put("tandem_2_per_round", perRound.get(2));
      d.put("errors", List.of(errors[0], errors[1], errors[2]));
      report.detail("throughput", d);
    }
  }

  private static double median(List<Double> values) {
    return Stats.median(values.stream().mapToDouble(Double::doubleValue).toArray());
  }

  record Block(long calls, long nanos, long errors) {}

  /**
   * Keeps {@code window} calls in flight for about {@code nanos}; counts the answers that arrived
   * in that time, then lets the rest drain uncounted.
   */
  static Block pipelined(Peer peer, int window, long nanos) throws IOException {
    long sent = 0;
    long answered = 0;
    long errors = 0;
    for (int i = 0; i < window; i++) {
      peer.write(Peer.toolCall(peer.newId(), "echo", ARGS));
      sent++;
    }
    peer.flush();
    long t0 = System.nanoTime();
    long deadline = t0 + nanos;
    long counted = -1;
    long countedNanos = 0;
    while (answered < sent) {
      FrameInput.Frame f = peer.next();
      if (f.id() < 0) continue;
      answered++;
      if (!f.ok()) errors++;
      if (counted < 0) {
        long now = System.nanoTime();
        if (now >= deadline) {
          counted = answered;
          countedNanos = now - t0;
        } else {
          peer.write(Peer.toolCall(peer.newId(), "echo", ARGS));
          sent++;
        }
      }
      if (!peer.hasBufferedFrame()) peer.flush();
    }
    return new Block(counted, countedNanos, errors);
  }
}
