package dev.tandem.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code make bench}: tandem against the floor, the minimal single-process Python MCP stdio server
 * a user would write instead (bench/floor/mcp_floor.py, the same tools), with tandem's own worker
 * run alone beside them to show which share of the gap is the Python runtime's and which the
 * daemon's (see {@link Servers}). Every figure is taken in the same run, the servers taking turns,
 * so the ratios hold even on a shared, noisy machine. The {@code http} scenario ({@link HttpLoad}) has
 * its own baseline, the official TypeScript SDK server over Streamable HTTP. Prints one table and writes
 * bench/results/TIMESTAMP.json. Targets are reported, never enforced: a missed one is a finding.
 *
 * <pre>
 * java -cp bench/target/classes dev.tandem.bench.Bench --home . --python /path/to/python3
 *     [--quick] [--only latency,throughput,...] [--out bench/results] [--dist dist/tandem-VERSION-linux-x86_64]
 * </pre>
 */
public final class Bench {

  /** The scenarios in the order they run: the cheap and quiet ones first. */
  static final List<String> SCENARIOS =
      List.of("cold", "idle", "latency", "throughput", "concurrent", "inflight", "failover", "http");

  public static void main(String[] args) throws Exception {
    Path home = Path.of(".");
    String python = "python3";
    Path out = null;
    Path dist = null;
    boolean quick = false;
    List<String> only = SCENARIOS;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--home" -> home = Path.of(args[++i]);
        case "--python" -> python = args[++i];
        case "--out" -> out = Path.of(args[++i]);
        case "--quick" -> quick = true;
        case "--dist" -> dist = Path.of(args[++i]).toAbsolutePath();
        case "--only" -> only = Arrays.asList(args[++i].split(","));
        default -> {
          System.err.println("unknown argument " + args[i] + "; see the class comment of dev.tandem.bench.Bench");
          System.exit(2);
        }
      }
    }
    home = home.toAbsolutePath().normalize();
    if (out == null) out = home.resolve("bench/results");
    Path logs = home.resolve("bench/target/logs");
    Files.createDirectories(logs);
    for (Path old : Files.newDirectoryStream(logs, "*.log")) Files.delete(old);
    for (Path old : Files.newDirectoryStream(logs, "traces-*")) deleteTree(old);
    for (Path old : Files.newDirectoryStream(logs, "run-*")) deleteTree(old);

    Servers servers = new Servers(home, python, logs);
    Report report = new Report();
    String startedAt = ZonedDateTime.now(ZoneOffset.UTC).format(DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'"));
    describeMachine(report.machine(), python, startedAt);
    System.out.println("tandem bench: " + report.machine().get("cpu") + ", " + report.machine().get("nproc")
        + " cpus, load " + report.machine().get("load_start") + (quick ? " (quick)" : ""));

    Map<String, Object> failures = new LinkedHashMap<>();
    for (String scenario : only) {
      long t0 = System.nanoTime();
      System.out.print("  " + scenario + " ... ");
      System.out.flush();
      try {
        switch (scenario) {
          case "cold" -> ColdStart.run(servers, report, quick ? 2 : 5, dist);
          case "idle" -> IdleMemory.run(servers, report, quick ? 500 : 2000);
          case "latency" -> Latency.run(servers, report, quick ? 300 : 1000, quick ? 500 : 2000, 4);
          case "throughput" -> Throughput.run(servers, report, 64, quick ? 500 : 1000, quick ? 1 : 5);
          case "concurrent" -> Burst.thousand(servers, report, quick ? 1 : 3);
          case "inflight" -> Burst.tenThousand(servers, report, 2.0);
          case "failover" -> Failover.run(servers, report, quick ? 2 : 5);
          case "http" -> HttpLoad.run(servers, report, quick);
          default -> throw new IllegalArgumentException("no scenario " + scenario + "; there are " + SCENARIOS);
        }
        System.out.printf("%.1f s, load %s%n", (System.nanoTime() - t0) / 1e9, Proc.loadAverage());
      } catch (Exception e) {
        System.out.println("FAILED: " + e);
        failures.put(scenario, String.valueOf(e));
      }
    }
    report.machine().put("load_end", Proc.loadAverage());
    if (!failures.isEmpty()) report.detail("failures", failures);

    System.out.println();
    System.out.println(machineLine(report.machine()));
    System.out.print(report.table());
    Path file = out.resolve(startedAt + ".json");
    report.write(file, "make bench → dev.tandem.bench.Bench " + String.join(" ", args));
    System.out.println("wrote " + file + "; server logs in " + logs);
    System.exit(failures.isEmpty() ? 0 : 1);
  }

  /** A previous run's trace directory (Servers.tandemTraced). */
  private static void deleteTree(Path dir) throws IOException {
    try (var paths = Files.walk(dir)) {
      for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) Files.delete(p);
    }
  }

  static String machineLine(Map<String, Object> m) {
    return m.get("nproc") + " × " + m.get("cpu") + "; load average " + m.get("load_start") + " at start, " + m.get("load_end")
        + " at end; " + m.get("jdk") + "; " + m.get("python");
  }

  private static void describeMachine(Map<String, Object> m, String python, String startedAt) {
    m.put("started", startedAt);
    m.put("nproc", Runtime.getRuntime().availableProcessors());
    m.put("cpu", Proc.cpuModel());
    m.put("kernel", System.getProperty("os.name") + " " + System.getProperty("os.version"));
    m.put("jdk", System.getProperty("java.vm.vendor") + " " + System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"));
    m.put("java_home", System.getProperty("java.home"));
    m.put("python", pythonVersion(python));
    m.put("load_start", Proc.loadAverage());
  }

  private static String pythonVersion(String python) {
    try {
      Process p = new ProcessBuilder(python, "-c", "import sys; print('Python', sys.version.split()[0], sys.executable)")
          .redirectErrorStream(true).start();
      String v = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
      p.waitFor();
      return v;
    } catch (IOException | InterruptedException e) {
      return python;
    }
  }

  private Bench() {}
}
