package dev.tandem.supervisor.tasks;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import redis.clients.jedis.RedisClient;

/**
 * A real {@code redis-server} of the test's own, on a free loopback port with a temporary directory
 * and nothing saved; skipped, saying how to get it, where Debian's package is not installed. Shared
 * with the integration tests through supervisor's test-jar.
 */
public final class RedisServer implements AutoCloseable {

  public static final Path BINARY = Path.of("/usr/bin/redis-server");

  private final Process process;
  public final int port;
  private final String password;

  private RedisServer(Process process, int port, String password) {
    this.process = process;
    this.port = port;
    this.password = password;
  }

  public static RedisServer start(Path dir) throws IOException {
    return start(dir, null);
  }

  /** With {@code requirepass} when {@code password} is not null, as a deployed one has. */
  public static RedisServer start(Path dir, String password) throws IOException {
    Assumptions.assumeTrue(
        Files.isExecutable(BINARY),
        "redis-server is not installed: run make apt-deps (or apt-get install redis-server)");
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    List<String> command =
        new java.util.ArrayList<>(
            List.of(
                BINARY.toString(),
                "--port",
                Integer.toString(port),
                "--bind",
                "127.0.0.1",
                "--dir",
                dir.toString(),
                "--save",
                "",
                "--appendonly",
                "no"));
    if (password != null) command.addAll(List.of("--requirepass", password));
    Process p =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("redis.log").toFile())
            .start();
    RedisServer server = new RedisServer(p, port, password);
    await()
        .atMost(Duration.ofSeconds(20))
        .ignoreExceptions()
        .until(
            () -> {
              try (RedisClient c = server.client()) {
                return "PONG".equals(c.ping());
              }
            });
    return server;
  }

  /** The store URL, with the password when there is one. */
  public String url() {
    return "redis://" + (password == null ? "" : ":" + password + "@") + "127.0.0.1:" + port + "/0";
  }

  private RedisClient client() {
    return RedisClient.create(java.net.URI.create(url()));
  }

  public void flush() {
    try (RedisClient c = client()) {
      c.flushAll();
    }
  }

  @Override
  public void close() {
    process.destroy();
  }
}
