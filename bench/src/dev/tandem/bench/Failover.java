package dev.tandem.bench;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A serving worker is killed with SIGKILL (its pid from tandem/status) and a call is written at
 * once: the time from the kill to the first successful answer. That call usually lands on the dead
 * worker and is retried (echo is idempotent), so the figure includes noticing the death. Each trial
 * uses a fresh daemon, so the first death is a pool's first and its backoff the shortest; with a
 * spare, a second death in the same daemon shows the same path once its code is warm.
 *
 * <p>The floor has no supervisor: its nearest equivalent is a host starting it again, so its cold
 * start to first call stands as the baseline.
 */
final class Failover {

  private static final String ARGS = "{\"text\":\"hello\"}";

  private Failover() {}

  static void run(Servers servers, Report report, int trials) throws IOException {
    double[] spareFirst = new double[trials];
    double[] spareLater = new double[trials];
    double[] fresh = new double[trials];
    double[] floor = new double[trials];
    List<Object> log = new ArrayList<>(); // per kill: when, how many calls until one was answered
    for (int i = 0; i < trials; i++) {
      try (Peer t = Peer.ready(servers.tandem("failover-spare.toml"))) {
        spareFirst[i] = kill(t, 1, "spare, first death", log);
        spareLater[i] = kill(t, 1, "spare, second death", log);
      }
      try (Peer t = Peer.ready(servers.tandem("failover-fresh.toml"))) {
        fresh[i] = kill(t, 0, "fresh, first death", log);
      }
      try (Peer f = Peer.start(servers.floor())) {
        f.initialize();
        if (!f.call("echo", ARGS).ok()) throw new IOException("floor: echo failed");
        floor[i] = Stats.millis(System.nanoTime() - f.startedAt);
      }
    }
    double floorMedian = Stats.median(floor);
    String note = "median of " + trials + " daemons; baseline: a host respawning the floor, exec → first call";
    report.add(new Report.Row("failover_spare", "failover to warm spare, first death", "tandem", "ms", Stats.median(spareFirst), floorMedian,
        Report.Judge.VALUE_AT_MOST, 10, note + "; the daemon's death path runs for the first time"));
    report.add(new Report.Row("failover_spare_later", "failover to warm spare, second death", "tandem", "ms", Stats.median(spareLater), floorMedian,
        Report.Judge.VALUE_AT_MOST, 10, note + "; the same daemon, its death path warm"));
    report.add(new Report.Row("failover_fresh", "failover, fresh replacement (spare = 0)", "tandem", "ms", Stats.median(fresh), floorMedian,
        Report.Judge.VALUE_AT_MOST, 150, note + "; includes the first restart's backoff (100-150 ms)"));
    Map<String, Object> d = new LinkedHashMap<>();
    d.put("spare_first_ms", Arrays.stream(spareFirst).boxed().toList());
    d.put("spare_second_ms", Arrays.stream(spareLater).boxed().toList());
    d.put("fresh_ms", Arrays.stream(fresh).boxed().toList());
    d.put("floor_respawn_ms", Arrays.stream(floor).boxed().toList());
    d.put("kills", log);
    report.detail("failover", d);
  }

  /**
   * Waits until the pool has its serving worker and {@code spares} spares ready, SIGKILLs the
   * serving one, and returns the milliseconds from the kill to the first successful answer.
   */
  private static double kill(Peer t, int spares, String what, List<Object> log) throws IOException {
    for (int i = 0; i < 20; i++) {
      if (!t.call("echo", ARGS).ok()) throw new IOException("tandem: echo failed before the kill");
    }
    Status.WorkerView victim = Status.awaitReady(t, 1, spares, 30_000).stream()
        .filter(w -> w.role().equals("serving")).findFirst().orElseThrow();
    ProcessHandle handle = ProcessHandle.of(victim.pid()).orElseThrow(() -> new IOException("worker " + victim.pid() + " is gone"));
    String killedAt = java.time.Instant.now().toString(); // to find the kill in the daemon's log
    long t0 = System.nanoTime();
    handle.destroyForcibly(); // SIGKILL
    int calls = 0;
    while (true) {
      calls++;
      FrameInput.Frame f = t.call("echo", ARGS);
      if (f.ok()) break;
      if (System.nanoTime() - t0 > 30_000_000_000L) {
        throw new IOException("tandem did not answer a call in 30 s after its worker was killed; last: " + f.text());
      }
      IdleMemory.sleep(1); // an error answer came at once: ask again, without spinning
    }
    double ms = Stats.millis(System.nanoTime() - t0);
    log.add(Map.of("kill", what, "killed_at", killedAt, "calls", calls, "ms", ms));
    return ms;
  }
}
