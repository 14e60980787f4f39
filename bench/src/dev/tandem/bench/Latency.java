package dev.tandem.bench;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Sequential tools/call round trips of a trivial tool: one call in flight, the next written the
 * moment the answer is read. Both servers stay up and are measured in alternating blocks, so a
 * change in the machine's load (other engineers share these cores) falls on both alike.
 */
final class Latency {

  private static final String ARGS = "{\"text\":\"hello\"}";

  private Latency() {}

  static void run(Servers servers, Report report, int warmup, int calls, int rounds) throws IOException {
    long[] bare = new long[calls];
    long[] tandem = new long[calls];
    int errors = 0;
    try (Peer b = Peer.ready(servers.bare()); Peer t = Peer.ready(servers.tandem("echo.toml"))) {
      errors += sequential(b, null, 0, warmup);
      errors += sequential(t, null, 0, warmup);
      int block = calls / rounds;
      for (int r = 0; r < rounds; r++) {
        int from = r * block;
        int n = r == rounds - 1 ? calls - from : block;
        if (r % 2 == 0) {
          errors += sequential(b, bare, from, n);
          errors += sequential(t, tandem, from, n);
        } else {
          errors += sequential(t, tandem, from, n);
          errors += sequential(b, bare, from, n);
        }
      }
    }
    double bp50 = Stats.micros(Stats.percentile(bare, calls, 50));
    double bp99 = Stats.micros(Stats.percentile(bare, calls, 99));
    double tp50 = Stats.micros(Stats.percentile(tandem, calls, 50));
    double tp99 = Stats.micros(Stats.percentile(tandem, calls, 99));
    String note = calls + " calls each after " + warmup + " warm-up, " + rounds + " alternating blocks";
    report.add(new Report.Row("latency_p50", "echo latency p50", "µs", tp50, bp50, Report.Judge.RATIO_AT_MOST, 2.0, note));
    report.add(new Report.Row("latency_p99", "echo latency p99", "µs", tp99, bp99, Report.Judge.RATIO_AT_MOST, 2.5, note));
    Map<String, Object> d = new LinkedHashMap<>();
    d.put("calls", calls);
    d.put("warmup", warmup);
    d.put("errors", errors);
    for (String side : new String[] {"tandem", "bare"}) {
      long[] v = side.equals("tandem") ? tandem : bare;
      Map<String, Object> p = new LinkedHashMap<>();
      for (double q : new double[] {0, 50, 90, 99, 99.9, 100}) {
        p.put("p" + Report.fmt(q), Stats.micros(Stats.percentile(v, calls, q == 0 ? 0.0001 : q)));
      }
      d.put(side + "_us", p);
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
