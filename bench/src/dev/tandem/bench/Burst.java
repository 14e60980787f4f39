package dev.tandem.bench;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Many calls of a tool that awaits, all written at once: how long until the last is answered, and
 * how much memory the server holds meanwhile. The requests go out on their own thread, so the
 * driver reads answers while it is still writing and neither side can block the other on a full
 * pipe.
 */
final class Burst {

  private Burst() {}

  record Outcome(long calls, long errors, long nanos, long peakRss, String firstError, long inFlightSeen) {}

  /**
   * 1,000 calls of sleep(0.5): wall time against the floor, and the daemon's memory. The floor,
   * tandem and tandem's worker alone take turns, rotating who goes first.
   */
  static void thousand(Servers servers, Report report, int repeats) throws IOException {
    int n = 1000;
    String[] sides = {"floor", "tandem", "worker_alone"};
    double[][] wall = new double[sides.length][repeats];
    long[] peak = new long[sides.length];
    long errors = 0;
    try (Peer f = Peer.ready(servers.floor());
        Peer t = Peer.ready(servers.tandem("sleep.toml"));
        Peer w = Peer.ready(servers.workerAlone())) {
      Peer[] peers = {f, t, w};
      for (Peer p : peers) warm(p);
      for (int r = 0; r < repeats; r++) {
        for (int k = 0; k < peers.length; k++) {
          int which = (r + k) % peers.length;
          Outcome o = burst(peers[which], n, 0.5, false);
          wall[which][r] = o.nanos / 1e9;
          peak[which] = Math.max(peak[which], o.peakRss);
          errors += o.errors;
        }
      }
    }
    double floor = Stats.median(wall[0]);
    String note = "median of " + repeats + "; " + errors + " errors in all";
    report.add(new Report.Row("concurrent_1000_wall", "1,000 × sleep(0.5) wall", "tandem", "s", Stats.median(wall[1]), floor,
        Report.Judge.VALUE_AT_MOST, 0.8, note));
    report.add(new Report.Row("concurrent_1000_wall_worker_alone", "1,000 × sleep(0.5) wall", "tandem.worker alone", "s",
        Stats.median(wall[2]), floor, Report.Judge.NONE, 0, note));
    report.add(new Report.Row("concurrent_1000_rss", "1,000 × sleep(0.5) peak RSS", "tandem", "MiB", Stats.mib(peak[1]),
        Stats.mib(peak[0]), Report.Judge.NONE, 0, "tandem: the JVM alone; floor: the Python process"));
    Map<String, Object> d = new LinkedHashMap<>();
    for (int k = 0; k < sides.length; k++) {
      d.put(sides[k] + "_wall_s", java.util.Arrays.stream(wall[k]).boxed().toList());
      d.put(sides[k] + "_peak_rss_mib", Stats.mib(peak[k]));
    }
    d.put("errors", errors);
    report.detail("concurrent_1000", d);
  }

  /** 10,000 calls in flight at once, each a fresh server: peak daemon RSS and errors, against the floor. */
  static void tenThousand(Servers servers, Report report, double seconds) throws IOException {
    int n = 10_000;
    Outcome of;
    Outcome ot;
    try (Peer f = Peer.ready(servers.floor())) {
      warm(f);
      of = burst(f, n, seconds, false);
    }
    try (Peer t = Peer.ready(servers.tandem("sleep.toml"))) {
      warm(t);
      ot = burst(t, n, seconds, true);
    }
    report.add(new Report.Row("inflight_10000_rss", "10,000 in flight, daemon peak RSS", "tandem", "MiB", Stats.mib(ot.peakRss),
        Stats.mib(of.peakRss), Report.Judge.VALUE_BELOW, 256, "sleep(" + seconds + "); floor: the Python process"));
    report.add(new Report.Row("inflight_10000_errors", "10,000 in flight, errors", "tandem", "calls", ot.errors, (double) of.errors,
        Report.Judge.VALUE_AT_MOST, 0, ot.firstError == null ? null : "first: " + ot.firstError));
    Map<String, Object> d = new LinkedHashMap<>();
    d.put("seconds", seconds);
    d.put("tandem_wall_s", ot.nanos / 1e9);
    d.put("floor_wall_s", of.nanos / 1e9);
    d.put("tandem_in_flight_seen", ot.inFlightSeen);
    d.put("tandem_first_error", ot.firstError);
    d.put("floor_first_error", of.firstError);
    report.detail("inflight_10000", d);
  }

  /** A call that answers once the server is ready (tandem: once its pool serves). */
  private static void warm(Peer p) throws IOException {
    for (int i = 0; i < 20; i++) p.call("sleep", "{\"seconds\":0}");
  }

  /**
   * Writes n calls of sleep(seconds) in one go and reads every answer. For tandem, a tandem/status
   * request follows the calls, and the pool's calls in flight it reports show they overlapped.
   */
  static Outcome burst(Peer peer, int n, double seconds, boolean askStatus) throws IOException {
    ByteArrayOutputStream all = new ByteArrayOutputStream(n * 110);
    long firstId = -1;
    String args = "{\"seconds\":" + seconds + "}";
    for (int i = 0; i < n; i++) {
      long id = peer.newId();
      if (firstId < 0) firstId = id;
      all.writeBytes(Peer.toolCall(id, "sleep", args));
    }
    long statusId = askStatus ? peer.newId() : -1;
    if (askStatus) {
      all.writeBytes(("{\"jsonrpc\":\"2.0\",\"id\":" + statusId + ",\"method\":\"tandem/status\"}\n").getBytes(StandardCharsets.UTF_8));
    }
    byte[] bytes = all.toByteArray();
    long errors = 0;
    long answered = 0;
    String firstError = null;
    long inFlight = -1;
    boolean statusDone = !askStatus;
    Thread writer;
    long t0;
    long t1 = 0;
    try (Proc.RssSampler rss = new Proc.RssSampler(peer.pid())) {
      t0 = System.nanoTime();
      writer = new Thread(() -> {
        try {
          peer.write(bytes);
          peer.flush();
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }, "burst-writer");
      writer.start();
      while (answered < n || !statusDone) {
        FrameInput.Frame f = peer.nextKeeping(statusId);
        if (f.id() < 0) continue;
        if (f.id() == statusId) {
          inFlight = inFlightOf(f.text());
          statusDone = true;
          continue;
        }
        if (f.id() < firstId || f.id() >= firstId + n) continue;
        answered++;
        if (!f.ok()) {
          errors++;
          if (firstError == null) firstError = f.text();
        }
        if (answered == n) t1 = System.nanoTime();
      }
      try {
        writer.join();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return new Outcome(n, errors, t1 - t0, Math.max(rss.peak(), 0), firstError, inFlight);
    }
  }

  private static long inFlightOf(String statusFrame) {
    try {
      Map<?, ?> result = (Map<?, ?>) ((Map<?, ?>) MiniJson.parse(statusFrame)).get("result");
      long sum = 0;
      for (Object pool : (java.util.List<?>) result.get("pools")) sum += ((Number) ((Map<?, ?>) pool).get("inFlight")).longValue();
      return sum;
    } catch (RuntimeException e) {
      return -1;
    }
  }
}
