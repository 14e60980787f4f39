package dev.tandem.it;

import static org.awaitility.Awaitility.await;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * The real HAProxy (Debian's package, which {@code make apt-deps} installs) running the shipped
 * {@code deploy/haproxy.cfg} unchanged, its addresses given through the environment variables the
 * file reads. Its log (on stderr with {@code -db}) says when it takes a replica out of rotation or
 * back in, which is how a test knows what the balancer believes.
 */
final class Haproxy implements AutoCloseable {

  static final Path CONFIG = Tandem.HOME.resolve("deploy/haproxy.cfg");

  private final Process process;
  private final List<String> log = new CopyOnWriteArrayList<>();
  final int port;

  private Haproxy(Process process, int port) {
    this.process = process;
    this.port = port;
    Thread err = new Thread(this::readLog, "haproxy-log");
    err.setDaemon(true);
    err.start();
  }

  /** Skips the calling test, saying why, where HAProxy is not installed. */
  static Path binary() {
    for (String candidate : List.of("/usr/sbin/haproxy", "/usr/local/sbin/haproxy")) {
      if (Files.isExecutable(Path.of(candidate))) return Path.of(candidate);
    }
    Assumptions.abort(
        "HAProxy is not installed: make apt-deps installs it (apt-get install haproxy, as root)");
    return null;
  }

  /**
   * HAProxy on a free loopback port in front of the replicas listening on {@code replicaPorts}
   * (tandem1, tandem2, ...). The shipped file names two servers; for more, the test runs a copy of
   * it with one {@code server tandemN "${TANDEM_REPLICA_N}"} line added per replica past two, as an
   * operator would, and nothing else changed.
   */
  static Haproxy start(int... replicaPorts) throws IOException {
    Path bin = binary();
    int port = freePort();
    Path config = CONFIG;
    if (replicaPorts.length > 2) {
      StringBuilder cfg = new StringBuilder(Files.readString(CONFIG));
      for (int i = 3; i <= replicaPorts.length; i++)
        cfg.append("    server tandem")
            .append(i)
            .append(" \"${TANDEM_REPLICA_")
            .append(i)
            .append("}\"\n");
      config = Files.createTempFile("tandem-it-haproxy", ".cfg");
      Files.writeString(config, cfg);
    }
    ProcessBuilder pb = new ProcessBuilder(bin.toString(), "-db", "-f", config.toString());
    pb.environment().put("TANDEM_LB_BIND", "127.0.0.1:" + port);
    for (int i = 0; i < replicaPorts.length; i++)
      pb.environment().put("TANDEM_REPLICA_" + (i + 1), "127.0.0.1:" + replicaPorts[i]);
    pb.redirectErrorStream(true);
    Haproxy lb = new Haproxy(pb.start(), port);
    await().atMost(Duration.ofSeconds(20)).until(() -> listening(port) || !lb.process.isAlive());
    if (!lb.process.isAlive()) throw new AssertionError("haproxy did not start:\n" + lb.logText());
    return lb;
  }

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket()) {
      s.bind(new InetSocketAddress("127.0.0.1", 0));
      return s.getLocalPort();
    }
  }

  private static boolean listening(int port) {
    try (java.net.Socket s = new java.net.Socket("127.0.0.1", port)) {
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  URI mcp() {
    return URI.create("http://127.0.0.1:" + port + "/mcp");
  }

  /**
   * How many times HAProxy has said server {@code name} (tandem1, tandem2, ...) went UP or DOWN.
   */
  long transitions(String name, String state) {
    String line = "Server tandem/" + name + " is " + state;
    return log.stream().filter(l -> l.contains(line)).count();
  }

  String logText() {
    return String.join("\n", log);
  }

  private void readLog() {
    try (BufferedReader r =
        new BufferedReader(
            new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = r.readLine()) != null) log.add(line);
    } catch (IOException e) {
      // haproxy ended
    }
  }

  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) process.destroyForcibly();
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }
}
