package dev.tandem.it;

import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;

/**
 * One scenario's daemon on stdio: the chaos tools in a pool named "chaos" (plus whatever the
 * scenario adds), its answers filed by a {@link ChaosLedger}, its processes watched by {@link
 * ChaosLeaks}, and at the end the row that counts them.
 */
final class ChaosStdio implements AutoCloseable {

  static final String POOL = "chaos";

  final Path dir;
  final DaemonProcess daemon;
  final ChaosLedger ledger;
  final ChaosTally tally = new ChaosTally();
  private final ChaosLeaks leaks;

  private ChaosStdio(Path dir, DaemonProcess daemon, String marker) {
    this.dir = dir;
    this.daemon = daemon;
    this.leaks = new ChaosLeaks(daemon.process().toHandle(), marker);
    this.ledger = new ChaosLedger(daemon);
  }

  /**
   * @param server lines of the config before any pool ({@code [server]} keys)
   * @param pool keys of the chaos pool past its name, modules and env ({@code replicas = 2})
   * @param more tables after it (another pool)
   */
  static ChaosStdio start(Path dir, String server, String pool, String more) throws Exception {
    return start(dir, server, pool, more, "");
  }

  /**
   * @param env more entries of the chaos pool's env table ({@code , NAME = "value"})
   */
  static ChaosStdio start(Path dir, String server, String pool, String more, String env)
      throws Exception {
    String marker = UUID.randomUUID().toString();
    Path config =
        Tandem.config(dir, server + "\n" + poolToml(dir, marker, pool, env) + "\n" + more);
    DaemonProcess daemon = DaemonProcess.serve(config);
    try {
      daemon.initialize(); // before the ledger's reader starts taking the frames
    } catch (Throwable e) {
      daemon.close();
      throw e;
    }
    return new ChaosStdio(dir, daemon, marker);
  }

  /** The chaos pool: the tools module copied beside the config, the marker in its env. */
  static String poolToml(Path dir, String marker, String keys, String env) throws IOException {
    writeTools(dir);
    return """
        [[pool]]
        name = "%s"
        modules = ["chaos_tools"]
        path = "."
        env = { %s = "%s", CHAOS_MARKS = "%s"%s }
        %s
        """
        .formatted(POOL, ChaosLeaks.MARKER, marker, dir.resolve("marks"), env, keys);
  }

  static void writeTools(Path dir) throws IOException {
    Files.createDirectories(dir);
    try (InputStream in = ChaosStdio.class.getResourceAsStream("/chaos/chaos_tools.py")) {
      if (in == null)
        throw new IllegalStateException("chaos/chaos_tools.py is not on the test classpath");
      Files.write(dir.resolve("chaos_tools.py"), in.readAllBytes());
    }
  }

  /** Waits (up to 30 s) until the chaos pool reports this many ready workers. */
  void awaitReady(int workers) {
    await("the chaos pool gets " + workers + " ready workers")
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(50))
        .until(() -> WorkerKilledMidCallTest.readyWorkers(ledger.pool(POOL)) >= workers);
  }

  /** Waits (up to 30 s) until the chaos pool has this many calls in flight. */
  void awaitInFlight(int calls) {
    await("the chaos pool has " + calls + " calls in flight")
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(20))
        .until(() -> ledger.pool(POOL).path("inFlight").asInt() >= calls);
  }

  /** A serving worker with calls in flight (or any serving one), for a fault to hit. */
  long victim() throws Exception {
    long any = -1;
    for (JsonNode w : ledger.pool(POOL).path("workers")) {
      if (!w.path("role").asText().equals("serving")) continue;
      if (w.path("inFlight").asInt() > 0) return w.path("pid").asLong();
      any = w.path("pid").asLong();
    }
    if (any < 0) throw new IllegalStateException("no serving worker in the chaos pool");
    return any;
  }

  /**
   * Ends the daemon as a host does (closes its stdin) unless the scenario already did, reads its
   * stdout to the end, and counts.
   */
  ChaosRow finish(String scenario, String note) throws Exception {
    try {
      daemon.closeStdin();
    } catch (IOException e) {
      // already closed, or the daemon is gone
    }
    if (!daemon.process().waitFor(30, java.util.concurrent.TimeUnit.SECONDS)) {
      note += "; the daemon did not exit within 30 s of stdin closing (killed)";
      daemon.process().destroyForcibly();
    }
    var answers = ledger.untilEnd(Duration.ofSeconds(10));
    int leaked = leaks.leftAfterExit(Duration.ofSeconds(3)).size();
    return keepLogUnlessClean(tally.row(scenario, "stdio", answers, leaked, note), daemon.stderr());
  }

  /**
   * A row that is not clean keeps its daemon's log, in target/chaos-logs, for whoever reads the
   * table.
   */
  static ChaosRow keepLogUnlessClean(ChaosRow row, List<String> stderr) throws IOException {
    if (row.clean()) return row;
    Path logs = Tandem.HOME.resolve("integration-tests/target/chaos-logs");
    Files.createDirectories(logs);
    String name =
        (row.scenario() + " " + row.transport()).replaceAll("[^A-Za-z0-9]+", "-") + ".log";
    Files.write(logs.resolve(name), stderr);
    List<String> wrong = new java.util.ArrayList<>(row.wrong());
    wrong.add("the daemon's log: " + logs.resolve(name));
    return new ChaosRow(
        row.scenario(),
        row.transport(),
        row.tried(),
        row.correct(),
        row.lost(),
        row.doubled(),
        row.leaked(),
        row.note(),
        List.copyOf(wrong));
  }

  @Override
  public void close() {
    daemon.close();
  }
}
