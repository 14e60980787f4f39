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
 * the first call, a Python worker's start and import of the tools. The floor, tandem and tandem's
 * worker alone start in turn, rotating who goes first. With {@code --dist DIR} a staged
 * distribution is measured too: what an installed tandem, with its AOT cache, starts in.
 */
final class ColdStart {

  private ColdStart() {}

  /** @param dist a staged distribution to measure as well, or null */
  static void run(Servers servers, Report report, int trials, Path dist) throws IOException {
    Peer.Command[] commands = {servers.floor(), servers.tandem("echo.toml"), servers.workerAlone()};
    String[] sides = {"floor", "tandem", "worker_alone"};
    double[][][] ms = new double[commands.length][2][trials];
    double[][] staged = new double[2][trials];
    for (int i = 0; i < trials; i++) {
      if (dist != null) once(servers.dist(dist, "echo.toml"), staged, i);
      // Rotate who goes first: a start right after another's exit may find caches warmer.
      for (int k = 0; k < commands.length; k++) {
        int which = (i + k) % commands.length;
        once(commands[which], ms[which], i);
      }
    }
    double floorInit = Stats.median(ms[0][0]);
    double floorCall = Stats.median(ms[0][1]);
    String note = "median of " + trials + " starts; floor: its own exec → initialize / first call";
    report.add(new Report.Row("cold_initialize", "cold start → initialize answered", "tandem", "ms", Stats.median(ms[1][0]), floorInit,
        Report.Judge.VALUE_AT_MOST, 150, note));
    report.add(new Report.Row("cold_first_call", "cold start → first call answered", "tandem", "ms", Stats.median(ms[1][1]), floorCall,
        Report.Judge.VALUE_AT_MOST, 300, note));
    report.add(new Report.Row("cold_first_call_worker_alone", "cold start → first call answered", "tandem.worker alone", "ms",
        Stats.median(ms[2][1]), floorCall, Report.Judge.NONE, 0, note));
    if (dist != null) {
      String n = note + "; " + dist.getFileName() + " (make dist: jlinked runtime, AOT cache)";
      report.add(new Report.Row("cold_initialize_dist", "cold start → initialize", "tandem dist", "ms", Stats.median(staged[0]), floorInit,
          Report.Judge.VALUE_AT_MOST, 150, n));
      report.add(new Report.Row("cold_first_call_dist", "cold start → first call", "tandem dist", "ms", Stats.median(staged[1]), floorCall,
          Report.Judge.VALUE_AT_MOST, 300, n));
    }
    Map<String, Object> d = new LinkedHashMap<>();
    if (dist != null) {
      d.put("dist_initialize_ms", Arrays.stream(staged[0]).boxed().toList());
      d.put("dist_first_call_ms", Arrays.stream(staged[1]).boxed().toList());
    }
    for (int k = 0; k < commands.length; k++) {
      d.put(sides[k] + "_initialize_ms", Arrays.stream(ms[k][0]).boxed().toList());
      d.put(sides[k] + "_first_call_ms", Arrays.stream(ms[k][1]).boxed().toList());
    }
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
