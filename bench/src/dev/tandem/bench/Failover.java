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
 * uses a fresh daemon, so every death is a pool's first and the backoff is its shortest.
 *
 * <p>The bare server has no supervisor: its nearest equivalent is a host starting it again, so
 * its cold start to first call stands as the baseline.
 */
final class Failover {

  private static final String ARGS = "{\"text\":\"hello\"}";

  private Failover() {}

  static void run(Servers servers, Report report, int trials) throws IOException {
    double[] spare = new double[trials];
    double[] fresh = new double[trials];
    double[] bare = new double[trials];
    List<Object> firstAnswers = new ArrayList<>();
    for (int i = 0; i < trials; i++) {
      spare[i] = trial(servers.tandem("failover-spare.toml"), 1, firstAnswers);
      fresh[i] = trial(servers.tandem("failover-fresh.toml"), 0, firstAnswers);
      try (Peer b = Peer.start(servers.bare())) {
        b.initialize();
        if (!b.call("echo", ARGS).ok()) throw new IOException("bare: echo failed");
        bare[i] = Stats.millis(System.nanoTime() - b.startedAt);
      }
    }
    double bareMedian = Stats.median(bare);
    String note = "median of " + trials + "; bare: a host respawning the server, exec → first call";
    report.add(new Report.Row("failover_spare", "failover to warm spare", "ms", Stats.median(spare), bareMedian,
        Report.Judge.VALUE_AT_MOST, 10, note));
    report.add(new Report.Row("failover_fresh", "failover, fresh replacement (spare = 0)", "ms", Stats.median(fresh), bareMedian,
        Report.Judge.VALUE_AT_MOST, 150, note));
    Map<String, Object> d = new LinkedHashMap<>();
    d.put("spare_ms", Arrays.stream(spare).boxed().toList());
    d.put("fresh_ms", Arrays.stream(fresh).boxed().toList());
    d.put("bare_respawn_ms", Arrays.stream(bare).boxed().toList());
    d.put("calls_until_answered", firstAnswers);
    report.detail("failover", d);
  }

  /** Milliseconds from SIGKILL to the first successful answer. */
  private static double trial(Peer.Command command, int spares, List<Object> attempts) throws IOException {
    try (Peer t = Peer.ready(command)) {
      if (!t.call("echo", ARGS).ok()) throw new IOException("tandem: echo failed before the kill");
      Status.WorkerView victim = Status.awaitReady(t, 1, spares, 30_000).stream()
          .filter(w -> w.role().equals("serving")).findFirst().orElseThrow();
      ProcessHandle handle = ProcessHandle.of(victim.pid()).orElseThrow(() -> new IOException("worker " + victim.pid() + " is gone"));
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
      long t1 = System.nanoTime();
      attempts.add(calls);
      return Stats.millis(t1 - t0);
    }
  }
}
