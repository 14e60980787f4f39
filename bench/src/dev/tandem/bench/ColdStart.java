package dev.tandem.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * From exec to initialize answered, and to the first tools/call answered. The request is written
 * the moment the process exists, as a host does, so the figures include everything the server
 * does before it reads its stdin: for tandem the launcher script, JVM start and config; then, for
 * the first call, a Python worker's start and import of the tools. With {@code --dist DIR} a staged
 * distribution is measured too: what an installed tandem, with its AOT cache, starts in.
 */
final class ColdStart {

  private ColdStart() {}

  /** @param dist a staged distribution to measure as well, or null */
  static void run(Servers servers, Report report, int trials, Path dist) throws IOException {
    double[][] bare = new double[2][trials];
    double[][] tandem = new double[2][trials];
    double[][] staged = new double[2][trials];
    for (int i = 0; i < trials; i++) {
      if (dist != null) once(servers.dist(dist, "echo.toml"), staged, i);
      // Alternate who goes first: a start right after another's exit may find caches warmer.
      if (i % 2 == 0) {
        once(servers.bare(), bare, i);
        once(servers.tandem("echo.toml"), tandem, i);
      } else {
        once(servers.tandem("echo.toml"), tandem, i);
        once(servers.bare(), bare, i);
      }
    }
    String note = "median of " + trials + " starts";
    report.add(new Report.Row("cold_initialize", "cold start → initialize answered", "ms", Stats.median(tandem[0]), Stats.median(bare[0]),
        Report.Judge.VALUE_AT_MOST, 150, note));
    report.add(new Report.Row("cold_first_call", "cold start → first call answered", "ms", Stats.median(tandem[1]), Stats.median(bare[1]),
        Report.Judge.VALUE_AT_MOST, 300, note));
    if (dist != null) {
      String n = note + " of " + dist.getFileName() + " (make dist: jlinked runtime, AOT cache)";
      report.add(new Report.Row("cold_initialize_dist", "cold start → initialize, dist", "ms", Stats.median(staged[0]), Stats.median(bare[0]),
          Report.Judge.VALUE_AT_MOST, 150, n));
      report.add(new Report.Row("cold_first_call_dist", "cold start → first call, dist", "ms", Stats.median(staged[1]), Stats.median(bare[1]),
          Report.Judge.VALUE_AT_MOST, 300, n));
    }
    Map<String, Object> d = new LinkedHashMap<>();
    if (dist != null) {
      d.put("dist_initialize_ms", Arrays.stream(staged[0]).boxed().toList());
      d.put("dist_first_call_ms", Arrays.stream(staged[1]).boxed().toList());
    }
    d.put("tandem_initialize_ms", Arrays.stream(tandem[0]).boxed().toList());
    d.put("tandem_first_call_ms", Arrays.stream(tandem[1]).boxed().toList());
    d.put("bare_initialize_ms", Arrays.stream(bare[0]).boxed().toList());
    d.put("bare_first_call_ms", Arrays.stream(bare[1]).boxed().toList());
    report.detail("cold_start", d);
  }

  private static void once(Peer.Command command, double[][] into, int i) throws IOException {
    try (Peer p = Peer.start(command)) {
      long initialized = p.initialize();
      FrameInput.Frame f = p.call("echo", "{\"text\":\"hello\"}");
      long called = System.nanoTime();
      if (!f.ok()) throw new IOException(p.label + ": first call failed: " + f.text());
      into[0][i] = Stats.millis(initialized - p.startedAt);
      into[1][i] = Stats.millis(called - p.startedAt);
    }
  }
}
