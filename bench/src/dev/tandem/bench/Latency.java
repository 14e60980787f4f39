package dev.tandem.bench;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Sequential tools/call round trips of a trivial tool: one call in flight, the next written the
 * moment the answer is read. All four servers (the floor, tandem with 2 replicas with traces off
 * and on, tandem's worker alone) stay up and are measured in blocks, rotating who goes first each
 * round, so a change in the machine's load (other engineers share these cores) falls on all alike.
 */
final class Latency {

  private static final String ARGS = "{\"text\":\"hello\"}";
  private static final String[] SIDES = {"floor", "tandem", "tandem_traced", "worker_alone"};

  private Latency() {}

  static void run(Servers servers, Report report, int warmup, int calls, int rounds) throws IOException {
    long[][] rt = new long[SIDES.length][calls];
    int[] errors = new int[SIDES.length];
    try (Peer f = Peer.ready(servers.floor());
        Peer t = Peer.ready(servers.tandem("echo-2.toml"));
        Peer tt = Peer.ready(servers.tandemTraced("echo-2.toml"));
        Peer w = Peer.ready(servers.workerAlone())) {
      Peer[] peers = {f, t, tt, w};
      for (int k = 0; k < peers.length; k++) errors[k] += sequential(peers[k], null, 0, warmup);
      int block = calls / rounds;
      for (int r = 0; r < rounds; r++) {
        int from = r * block;
        int n = r == rounds - 1 ? calls - from : block;
        for (int k = 0; k < peers.length; k++) {
          int which = (r + k) % peers.length;
          errors[which] += sequential(peers[which], rt[which], from, n);
        }
      }
    }
    double[] p50 = new double[SIDES.length];
    double[] p99 = new double[SIDES.length];
    for (int k = 0; k < SIDES.length; k++) {
      p50[k] = Stats.micros(Stats.percentile(rt[k], calls, 50));
      p99[k] = Stats.micros(Stats.percentile(rt[k], calls, 99));
    }
    String note = calls + " calls each after " + warmup + " warm-up, " + rounds + " blocks, rotating who goes first";
    report.add(new Report.Row("latency_p50", "echo latency p50", "tandem, 2 replicas", "µs", p50[1], p50[0],
        Report.Judge.RATIO_AT_MOST, 2.0, note));
    report.add(new Report.Row("latency_p99", "echo latency p99", "tandem, 2 replicas", "µs", p99[1], p99[0],
        Report.Judge.RATIO_AT_MOST, 2.5, note));
    report.add(new Report.Row("latency_p50_worker_alone", "echo latency p50", "tandem.worker alone", "µs", p50[3], p50[0],
        Report.Judge.NONE, 0, note));
    report.add(new Report.Row("latency_p50_traces_on", "echo latency p50", "tandem traces on", "µs", p50[2], p50[1], "tandem traces off",
        Report.Judge.RATIO_AT_MOST, 1.3, note + "; baseline: tandem (2 replicas) with traces off, not the floor"));
    Map<String, Object> d = new LinkedHashMap<>();
    d.put("calls", calls);
    d.put("warmup", warmup);
    for (int k = 0; k < SIDES.length; k++) {
      Map<String, Object> p = new LinkedHashMap<>();
      for (double q : new double[] {0, 50, 90, 99, 99.9, 100}) {
        p.put("p" + Report.fmt(q), Stats.micros(Stats.percentile(rt[k], calls, q == 0 ? 0.0001 : q)));
      }
      d.put(SIDES[k] + "_us", p);
      d.put(SIDES[k] + "_errors", errors[k]);
    }
    report.detail("latency", d);
  }

  /** n calls one after another; their round trips go into out[from..] when out is not null. */
  private static int sequential(Peer peer, long[] out, int from, int n) throws IOException {
    int errors = 0;
    for (int i = 0; i < n; i++) {
      long id = peer.newId();
      byte[] frame = Peer.toolCall(id, "echo", ARGS);
      long t0 = System.nanoTime();
      peer.write(frame);
      peer.flush();
      FrameInput.Frame f = peer.await(id);
      long t1 = System.nanoTime();
      if (!f.ok()) errors++;
      if (out != null) out[from + i] = t1 - t0;
    }
    return errors;
  }
}
