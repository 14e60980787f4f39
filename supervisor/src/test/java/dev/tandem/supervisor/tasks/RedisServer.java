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

  private RedisServer(Process process, int port) {
    this.process = process;
    this.port = port;
  }

  public static RedisServer start(Path dir) throws IOException {
    Assumptions.assumeTrue(
        Files.isExecutable(BINARY),
        "redis-server is not installed: run make apt-deps (or apt-get install redis-server)");
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    Process p =
        new ProcessBuilder(
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
                    "no"))
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("redis.log").toFile())
            .start();
    RedisServer server = new RedisServer(p, port);
    await()
        .atMost(Duration.ofSeconds(20))
        .ignoreExceptions()
        .until(
            () -> {
              try (RedisClient c = RedisClient.create("127.0.0.1", port)) {
                return "PONG".equals(c.ping());
              }
            });
    return server;
  }

  public String url() {
    return "redis://127.0.0.1:" + port + "/0";
  }

  public void flush() {
    try (RedisClient c = RedisClient.create("127.0.0.1", port)) {
      c.flushAll();
    }
  }

  @Override
  public void close() {
    process.destroy();
  }
}
