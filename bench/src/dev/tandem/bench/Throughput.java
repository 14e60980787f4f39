package dev.tandem.bench;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Pipelined calls of a trivial tool with a fixed number in flight: each answer read lets one more
 * request go, and requests answered in the same read are flushed together, so the driver spends a
 * write per batch, not per call. The four servers (the floor, tandem's worker alone, tandem with 1
 * and with 2 replicas) take turns in rounds, rotating who goes first.
 */
final class Throughput {

  private static final String ARGS = "{\"text\":\"hello\"}";
  private static final String[] SIDES = {"floor", "worker_alone", "tandem_1", "tandem_2"};

  private Throughput() {}

  static void run(Servers servers, Report report, int window, long blockMillis, int rounds) throws IOException {
    try (Peer f = Peer.ready(servers.floor());
        Peer w = Peer.ready(servers.workerAlone());
        Peer t1 = Peer.ready(servers.tandem("echo.toml"));
        Peer t2 = Peer.ready(servers.tandem("echo-2.toml"))) {
      Peer[] peers = {f, w, t1, t2};
      for (Peer p : peers) pipelined(p, window, blockMillis * 1_000_000L); // warm-up, not counted
      long[] errors = new long[peers.length];
      List<List<Double>> perRound = new ArrayList<>();
      for (int k = 0; k < peers.length; k++) perRound.add(new ArrayList<>());
      for (int r = 0; r < rounds; r++) {
        for (int k = 0; k < peers.length; k++) {
          int which = (r + k) % peers.length;
          Block res = pipelined(peers[which], window, blockMillis * 1_000_000L);
          errors[which] += res.errors;
          perRound.get(which).add(res.calls / (res.nanos / 1e9));
        }
      }
      // Medians of the rounds: a burst of load from outside hits one server's block, not all.
      double floor = median(perRound.get(0));
      String note = window + " in flight, median of " + rounds + " rounds of " + blockMillis + " ms each";
      report.add(new Report.Row("throughput_2", "echo throughput", "tandem, 2 replicas", "calls/s", median(perRound.get(3)), floor,
          Report.Judge.RATIO_AT_LEAST, 0.8, note));
      report.add(new Report.Row("throughput_1", "echo throughput", "tandem, 1 replica", "calls/s", median(perRound.get(2)), floor,
          Report.Judge.NONE, 0, note));
      report.add(new Report.Row("throughput_worker_alone", "echo throughput", "tandem.worker alone", "calls/s", median(perRound.get(1)),
          floor, Report.Judge.RATIO_AT_LEAST, 0.8, note));
      Map<String, Object> d = new LinkedHashMap<>();
      d.put("window", window);
      for (int k = 0; k < peers.length; k++) d.put(SIDES[k] + "_per_round", perRound.get(k));
      Map<String, Object> e = new LinkedHashMap<>();
      for (int k = 0; k < peers.length; k++) e.put(SIDES[k], errors[k]);
      d.put("errors", e);
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
