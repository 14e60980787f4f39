package dev.tandem.bench;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Resident memory at rest: the daemon (the JVM process alone) and one of its workers, each after
 * its first few calls and a pause, against the floor (the minimal Python server) in the same state.
 */
final class IdleMemory {

  private IdleMemory() {}

  static void run(Servers servers, Report report, long settleMillis) throws IOException {
    try (Peer f = Peer.ready(servers.floor()); Peer t = Peer.ready(servers.tandem("echo.toml"))) {
      for (int i = 0; i < 20; i++) {
        f.call("echo", "{\"text\":\"hello\"}");
        t.call("echo", "{\"text\":\"hello\"}");
      }
      sleep(settleMillis);
      Status.WorkerView worker = Status.awaitReady(t, 1, 0, 10_000).stream()
          .filter(w -> w.role().equals("serving")).findFirst().orElseThrow();
      long daemon = t.rssBytes();
      long floor = f.rssBytes();
      long workerRss = Proc.rssBytes(worker.pid());
      report.add(new Report.Row("idle_rss_daemon", "idle RSS, daemon (JVM only)", "tandem", "MiB", Stats.mib(daemon), Stats.mib(floor),
          Report.Judge.VALUE_AT_MOST, 80, "floor: the minimal Python server"));
      report.add(new Report.Row("idle_rss_worker", "idle RSS, one worker", "tandem", "MiB", Stats.mib(workerRss), Stats.mib(floor),
          Report.Judge.VALUE_AT_MOST, 30, "floor: the minimal Python server, the same tools"));
      Map<String, Object> d = new LinkedHashMap<>();
      d.put("daemon_peak_rss_mib", Stats.mib(Proc.peakRssBytes(t.pid())));
      d.put("daemon_java", Proc.executable(t.pid()));
      report.detail("idle_rss", d);
      report.machine().put("daemon_java", Proc.executable(t.pid()));
    }
  }

  static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
