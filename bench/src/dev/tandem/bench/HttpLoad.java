package dev.tandem.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Streamable HTTP under load, as operators compare servers (issue 16; the TM Dev Lab MCP
 * benchmark's shape): N virtual users, each its own keep-alive connection and its own session
 * ({@code initialize}, {@code notifications/initialized}, then {@code tools/call echo} in a loop,
 * the answer read whether it comes as {@code application/json} or {@code text/event-stream}),
 * for T seconds. Three sides take turns in rounds, rotating who goes first, so the machine's load
 * falls on all alike:
 *
 * <ul>
 *   <li>the official TypeScript SDK v1 server ({@link Servers#tsSdk()}), the baseline;
 *   <li>{@code tandem serve --http} with defaults, bench/configs/echo-2.toml, session requests;
 *   <li>the same daemon, 2026-07-28 requests: no session, each request self-contained (its
 *       {@code _meta} and the {@code Mcp-Method}/{@code Mcp-Name} headers).
 * </ul>
 *
 * Users are platform threads on blocking sockets ({@link HttpConn}; {@code -Dbench.threads=virtual}
 * for virtual ones, whose every blocked read is woken through the JDK's poller thread, one more
 * hand-off inside each measured round trip): the load generator runs on the
 * same two cores as the servers, so it must cost as little CPU per call as possible.
 */
final class HttpLoad {

  static final String THREADS = System.getProperty("bench.threads", "platform");
  private static final String SESSION_VERSION = "2025-11-25";
  private static final String MODERN_VERSION = "2026-07-28";

  enum Mode { SESSION, STATELESS }

  record Side(String key, String label, HttpPeer peer, Mode mode) {}

  /** One block's figures: calls completed in the measured window, their latencies, errors. */
  record Block(long calls, double seconds, long[] latencies, long errors, List<String> firstErrors) {}

  private HttpLoad() {}

  static void run(Servers servers, Report report, boolean quick) throws IOException, InterruptedException {
    int users = 50;
    double manySeconds = quick ? 2 : 2.5;
    double oneSeconds = quick ? 1 : 1.5;
    int rounds = quick ? 1 : 3;
    try (HttpPeer ts = HttpPeer.start(servers.tsSdk());
        HttpPeer tandem = HttpPeer.start(servers.tandemHttp("echo-2.toml")).awaitOk("/readyz")) {
      Side[] sides = {
          new Side("ts_sdk", "TS SDK v1", ts, Mode.SESSION),
          new Side("tandem", "tandem, 2 replicas", tandem, Mode.SESSION),
          new Side("tandem_stateless", "tandem 2026-07-28", tandem, Mode.STATELESS)};
      long[] errors = new long[sides.length];
      List<String> errorSamples = new ArrayList<>();
      // Warm-up, not counted: the JIT of all three, the workers' first calls.
      for (Side s : sides) tally(block(s, users, 0.5, quick ? 1 : 1.5), errors, s, sides, errorSamples);

      List<List<Double>> rates = lists(sides.length);
      List<List<long[]>> manyLat = lists(sides.length);
      List<List<long[]>> oneLat = lists(sides.length);
      long tandemRss;
      long tsRss;
      try (Proc.RssSampler tandemSampler = new Proc.RssSampler(tandem.pid()); Proc.RssSampler tsSampler = new Proc.RssSampler(ts.pid())) {
        for (int r = 0; r < rounds; r++) {
          for (int k = 0; k < sides.length; k++) {
            int which = (r + k) % sides.length;
            Block b = block(sides[which], users, 0.3, manySeconds);
            tally(b, errors, sides[which], sides, errorSamples);
            rates.get(which).add(b.calls / b.seconds);
            manyLat.get(which).add(b.latencies);
          }
        }
        tandemRss = tandemSampler.peak();
        tsRss = tsSampler.peak();
      }
      for (int r = 0; r < rounds; r++) {
        for (int k = 0; k < sides.length; k++) {
          int which = (r + k) % sides.length;
          Block b = block(sides[which], 1, 0.2, oneSeconds);
          tally(b, errors, sides[which], sides, errorSamples);
          oneLat.get(which).add(b.latencies);
        }
      }

      double[] rate = new double[sides.length];
      double[] p50 = new double[sides.length];
      double[] p99 = new double[sides.length];
      double[] oneP50 = new double[sides.length];
      double[] oneP99 = new double[sides.length];
      for (int k = 0; k < sides.length; k++) {
        rate[k] = Stats.median(rates.get(k).stream().mapToDouble(Double::doubleValue).toArray());
        long[] many = concat(manyLat.get(k));
        long[] one = concat(oneLat.get(k));
        p50[k] = Stats.millis(Stats.percentile(many, many.length, 50));
        p99[k] = Stats.millis(Stats.percentile(many, many.length, 99));
        oneP50[k] = Stats.millis(Stats.percentile(one, one.length, 50));
        oneP99[k] = Stats.millis(Stats.percentile(one, one.length, 99));
      }
      String ts0 = sides[0].label;
      String many = users + " users × " + Report.fmt(manySeconds) + " s, " + rounds + " round(s), rotating who goes first";
      String one = "1 user × " + Report.fmt(oneSeconds) + " s, " + rounds + " round(s)";
      report.add(new Report.Row("http_50_rate", "HTTP 50 users", sides[1].label, "calls/s", rate[1], rate[0], ts0,
          Report.Judge.RATIO_AT_LEAST, 2.0, many + "; median of the rounds"));
      report.add(new Report.Row("http_50_p50", "HTTP 50 users p50", sides[1].label, "ms", p50[1], p50[0], ts0,
          Report.Judge.NONE, 0, many));
      report.add(new Report.Row("http_50_p99", "HTTP 50 users p99", sides[1].label, "ms", p99[1], p99[0], ts0,
          Report.Judge.RATIO_AT_MOST, 0.5, many));
      report.add(new Report.Row("http_1_p50", "HTTP 1 user p50", sides[1].label, "ms", oneP50[1], oneP50[0], ts0,
          Report.Judge.VALUE_AT_MOST, 0.4, one));
      report.add(new Report.Row("http_50_rate_stateless", "HTTP 50 users", sides[2].label, "calls/s", rate[2], rate[1],
          "tandem sessions", Report.Judge.RATIO_AT_LEAST, 1.0, many + "; baseline: the same daemon's session requests"));
      report.add(new Report.Row("http_50_p99_stateless", "HTTP 50 users p99", sides[2].label, "ms", p99[2], p99[1],
          "tandem sessions", Report.Judge.NONE, 0, many));
      report.add(new Report.Row("http_1_p50_stateless", "HTTP 1 user p50", sides[2].label, "ms", oneP50[2], oneP50[1],
          "tandem sessions", Report.Judge.RATIO_AT_MOST, 1.0, one + "; baseline: the same daemon's session requests"));
      report.add(new Report.Row("http_rss", "HTTP 50 users peak RSS, daemon", "tandem", "MiB", Stats.mib(tandemRss), Stats.mib(tsRss),
          ts0, Report.Judge.VALUE_AT_MOST, 150, "peak VmRSS of the JVM sampled every 5 ms over the 50-user rounds (both modes)"));
      report.add(new Report.Row("http_errors", "HTTP errors, all sides", "all", "calls", errors[0] + errors[1] + errors[2], null,
          Report.Judge.VALUE_AT_MOST, 0, "failed or non-result answers over every block, warm-up included"));

      Map<String, Object> d = new LinkedHashMap<>();
      d.put("users", users);
      d.put("rounds", rounds);
      for (int k = 0; k < sides.length; k++) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("calls_per_s_per_round", rates.get(k));
        m.put("p50_ms", p50[k]);
        m.put("p99_ms", p99[k]);
        m.put("one_user_p50_ms", oneP50[k]);
        m.put("one_user_p99_ms", oneP99[k]);
        m.put("errors", errors[k]);
        d.put(sides[k].key, m);
      }
      d.put("ts_sdk_peak_rss_mib", Stats.mib(tsRss));
      if (!errorSamples.isEmpty()) d.put("first_errors", errorSamples);
      report.detail("http", d);
    }
  }

  private static void tally(Block b, long[] errors, Side side, Side[] sides, List<String> samples) {
    errors[Arrays.asList(sides).indexOf(side)] += b.errors;
    for (String e : b.firstErrors) if (samples.size() < 5) samples.add(side.label + ": " + e);
  }

  private static <T> List<List<T>> lists(int n) {
    List<List<T>> out = new ArrayList<>();
    for (int i = 0; i < n; i++) out.add(new ArrayList<>());
    return out;
  }

  private static long[] concat(List<long[]> parts) {
    long[] all = new long[parts.stream().mapToInt(a -> a.length).sum()];
    int at = 0;
    for (long[] p : parts) {
      System.arraycopy(p, 0, all, at, p.length);
      at += p.length;
    }
    return all;
  }

  /**
   * {@code users} users connect (and open their sessions), then call for {@code warm} seconds
   * uncounted and {@code seconds} counted: a call counts when it completes in the window.
   */
  static Block block(Side side, int users, double warm, double seconds) throws InterruptedException {
    CountDownLatch ready = new CountDownLatch(users);
    CountDownLatch go = new CountDownLatch(1);
    AtomicLong from = new AtomicLong();
    AtomicLong until = new AtomicLong();
    List<String> firstErrors = java.util.Collections.synchronizedList(new ArrayList<>());
    List<Future<User>> running = new ArrayList<>();
    try (ExecutorService pool = THREADS.equals("virtual") ? Executors.newVirtualThreadPerTaskExecutor()
        : Executors.newThreadPerTaskExecutor(Thread.ofPlatform().daemon().factory())) {
      for (int u = 0; u < users; u++) {
        int n = u;
        running.add(pool.submit(() -> {
          User user = new User(side, n, firstErrors);
          try {
            user.open();
          } finally {
            ready.countDown();
          }
          go.await();
          user.loop(from.get(), until.get());
          user.close();
          return user;
        }));
      }
      ready.await();
      long now = System.nanoTime();
      from.set(now + (long) (warm * 1e9));
      until.set(from.get() + (long) (seconds * 1e9));
      go.countDown();
    }
    long calls = 0;
    long errors = 0;
    List<long[]> lat = new ArrayList<>();
    for (Future<User> f : running) {
      try {
        User u = f.get();
        calls += u.count;
        errors += u.errors;
        lat.add(Arrays.copyOf(u.latencies, u.count));
      } catch (java.util.concurrent.ExecutionException e) {
        errors++;
        if (firstErrors.size() < 5) firstErrors.add("user failed: " + e.getCause());
      }
    }
    return new Block(calls, seconds, concat(lat), errors, List.copyOf(firstErrors));
  }

  /** One virtual user: its connection, its session, its call loop. */
  private static final class User {
    private final Side side;
    private final int n;
    private final List<String> firstErrors;
    private HttpConn conn;
    private String sessionHeaders = "";
    private long nextId = 1;
    long[] latencies = new long[1024];
    int count;
    long errors;

    User(Side side, int n, List<String> firstErrors) {
      this.side = side;
      this.n = n;
      this.firstErrors = firstErrors;
    }

    void open() throws IOException {
      conn = new HttpConn(side.peer.host, side.peer.port);
      if (side.mode == Mode.STATELESS) {
        sessionHeaders = "MCP-Protocol-Version: " + MODERN_VERSION + "\r\nMcp-Method: tools/call\r\nMcp-Name: echo\r\n";
        return;
      }
      HttpConn.Response init = conn.post("/mcp", "", ("{\"jsonrpc\":\"2.0\",\"id\":0,\"method\":\"initialize\",\"params\":{\"protocolVersion\":\""
          + SESSION_VERSION + "\",\"capabilities\":{},\"clientInfo\":{\"name\":\"tandem-bench\",\"version\":\"1\"}}}").getBytes(StandardCharsets.UTF_8));
      if (!init.isResult("0") || init.sessionId() == null) throw new IOException("initialize answered " + init.status() + ": " + init.body());
      sessionHeaders = "Mcp-Session-Id: " + init.sessionId() + "\r\nMCP-Protocol-Version: " + SESSION_VERSION + "\r\n";
      HttpConn.Response ack = conn.post("/mcp", sessionHeaders, "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}".getBytes(StandardCharsets.UTF_8));
      if (ack.status() != 202) throw new IOException("notifications/initialized answered " + ack.status());
    }

    byte[] call(long id) {
      String meta = side.mode == Mode.SESSION ? "" : ",\"_meta\":{\"io.modelcontextprotocol/protocolVersion\":\"" + MODERN_VERSION
          + "\",\"io.modelcontextprotocol/clientInfo\":{\"name\":\"tandem-bench\",\"version\":\"1\"},\"io.modelcontextprotocol/clientCapabilities\":{}}";
      return ("{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"method\":\"tools/call\",\"params\":{\"name\":\"echo\",\"arguments\":{\"text\":\"hello\"}"
          + meta + "}}").getBytes(StandardCharsets.UTF_8);
    }

    void loop(long from, long until) {
      while (true) {
        long id = nextId++;
        byte[] body = call(id);
        long t0 = System.nanoTime();
        if (t0 >= until) return;
        try {
          HttpConn.Response r = conn.post("/mcp", sessionHeaders, body);
          long t1 = System.nanoTime();
          if (!r.isResult(Long.toString(id))) {
            fail("call " + id + " answered " + r.status() + " " + r.contentType() + ": " + r.body());
          } else if (t1 >= from && t1 <= until) {
            if (count == latencies.length) latencies = Arrays.copyOf(latencies, count * 2);
            latencies[count++] = t1 - t0;
          }
        } catch (IOException e) {
          fail("call " + id + ": " + e);
          conn.close();
          try {
            open();
          } catch (IOException again) {
            fail("reconnecting: " + again);
            return;
          }
        }
      }
    }

    private void fail(String what) {
      errors++;
      if (firstErrors.size() < 5) firstErrors.add("user " + n + " " + what);
    }

    /** Ends the session (DELETE), so a server does not carry the earlier rounds' sessions. */
    void close() {
      if (side.mode == Mode.SESSION) {
        try {
          conn.send("DELETE", "/mcp", sessionHeaders);
        } catch (IOException e) {
          // the server may have closed it already
        }
      }
      conn.close();
    }
  }
}
