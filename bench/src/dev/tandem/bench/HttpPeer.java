package dev.tandem.bench;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One Streamable HTTP server under test, started on port 0: the real port is read from the
 * "listening on http://HOST:PORT/mcp" line it logs (tandem on stderr, as the integration tests'
 * HttpDaemon reads it; the TypeScript server on stdout), both going to its log file.
 */
final class HttpPeer implements AutoCloseable {

  private static final Pattern LISTENING = Pattern.compile("listening on (http://\\S+/mcp)");

  final String label;
  final Process process;
  final String host;
  final int port;

  private HttpPeer(String label, Process process, URI mcp) {
    this.label = label;
    this.process = process;
    this.host = mcp.getHost();
    this.port = mcp.getPort();
  }

  static HttpPeer start(Peer.Command command) throws IOException {
    Files.deleteIfExists(command.log());
    ProcessBuilder pb = new ProcessBuilder(command.argv());
    pb.environment().putAll(command.env());
    pb.redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(command.log().toFile()));
    Process p = pb.start();
    p.getOutputStream().close();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (System.nanoTime() < deadline) {
      if (Files.exists(command.log())) {
        Matcher m = LISTENING.matcher(Files.readString(command.log()));
        if (m.find()) return new HttpPeer(command.label(), p, URI.create(m.group(1)));
      }
      if (!p.isAlive()) break;
      IdleMemory.sleep(20);
    }
    p.destroyForcibly();
    throw new IOException(command.label() + " did not say where it listens; see " + command.log());
  }

  /** Polls GET {@code path} until it answers 200 (tandem's /readyz: every pool serving). */
  HttpPeer awaitOk(String path) throws IOException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (System.nanoTime() < deadline) {
      try (HttpConn c = new HttpConn(host, port)) {
        if (c.send("GET", path, "").status() == 200) return this;
      } catch (IOException e) {
        // not yet
      }
      IdleMemory.sleep(50);
    }
    throw new IOException(label + ": " + path + " never answered 200");
  }

  long pid() {
    return process.pid();
  }

  /** SIGTERM, as an operator stops either server; SIGKILL after 10 s. */
  @Override
  public void close() {
    process.destroy();
    Proc.reap(process);
  }
}
