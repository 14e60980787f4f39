package dev.tandem.it;

import static org.awaitility.Awaitility.await;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The real {@code bin/tandem serve --http 127.0.0.1:0}: started, its real port read from the
 * "listening on" line it logs, and stopped with SIGTERM as an operator would.
 */
final class HttpDaemon implements AutoCloseable {

  private static final Pattern LISTENING = Pattern.compile("listening on (http://\\S+/mcp)");

  private final Process process;
  private final List<String> stderr = new CopyOnWriteArrayList<>();
  private volatile URI mcp;
  final HttpClient http =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(10))
          .build();

  private HttpDaemon(Process process) {
    this.process = process;
    Thread err = new Thread(this::readStderr, "http-daemon-stderr");
    err.setDaemon(true);
    err.start();
  }

  static HttpDaemon serve(Path config) throws IOException {
    return serve(config, Map.of());
  }

  /**
   * An open server ({@code [http] token = ""}) unless {@code env} sets TANDEM_HTTP_TOKEN: these
   * tests are about the HTTP transport, and their clients (the official SDKs, raw sockets) send no
   * token. HttpTokenByDefaultTest covers the default, a generated token.
   */
  static HttpDaemon serve(Path config, Map<String, String> env) throws IOException {
    return serve(List.of(), Tandem.BIN, config, env, !env.containsKey("TANDEM_HTTP_TOKEN"));
  }

  static HttpDaemon serve(Path config, Map<String, String> env, boolean open) throws IOException {
    return serve(List.of(), Tandem.BIN, config, env, open);
  }

  /**
   * @param bin a tandem launcher other than the source tree's (an unpacked tarball's)
   */
  static HttpDaemon serve(Path bin, Path config, Map<String, String> env) throws IOException {
    return serve(List.of(), bin, config, env, !env.containsKey("TANDEM_HTTP_TOKEN"));
  }

  /** {@code prefix}: a command the daemon runs under, such as {@code prlimit --nofile=N:N}. */
  static HttpDaemon serve(List<String> prefix, Path config, Map<String, String> env)
      throws IOException {
    return serve(prefix, Tandem.BIN, config, env, !env.containsKey("TANDEM_HTTP_TOKEN"));
  }

  static HttpDaemon serve(
      List<String> prefix, Path bin, Path config, Map<String, String> env, boolean open)
      throws IOException {
    return serve(prefix, bin, "127.0.0.1:0", config, env, open);
  }

  /** On a port chosen beforehand: a replica a load balancer knows by address, restarted on it. */
  static HttpDaemon serveAt(int port, Path config, Map<String, String> env) throws IOException {
    return serve(
        List.of(),
        Tandem.BIN,
        "127.0.0.1:" + port,
        config,
        env,
        !env.containsKey("TANDEM_HTTP_TOKEN"));
  }

  private static HttpDaemon serve(
      List<String> prefix,
      Path bin,
      String listen,
      Path config,
      Map<String, String> env,
      boolean open)
      throws IOException {
    List<String> argv = new ArrayList<>(prefix);
    argv.addAll(List.of(bin.toString(), "serve", "--http", listen));
    if (config != null) argv.addAll(List.of("--config", config.toString()));
    if (open) argv.addAll(List.of("--set", "http.token="));
    ProcessBuilder pb = new ProcessBuilder(argv);
    pb.environment().remove("TANDEM_HTTP_TOKEN");
    // What makes replicas share work, only where a test asks for it.
    pb.environment().remove("TANDEM_STATE_KEY");
    pb.environment().remove("TANDEM_HTTP_DRAIN_MS");
    // serve --http writes its runtime file there: never over the daemon.json of the person running
    // the tests.
    pb.environment().put("XDG_RUNTIME_DIR", Files.createTempDirectory("tandem-it-run-").toString());
    pb.environment().putAll(env);
    HttpDaemon daemon = new HttpDaemon(pb.start());
    daemon.process.getOutputStream().close();
    await()
        .atMost(Duration.ofSeconds(60))
        .until(() -> daemon.mcp != null || !daemon.process.isAlive());
    if (daemon.mcp == null)
      throw new AssertionError("tandem --http did not start; stderr:\n" + daemon.stderrText());
    return daemon;
  }

  /** Waits until every pool serves, as a load balancer would before sending traffic. */
  HttpDaemon awaitReady() {
    await().atMost(Duration.ofSeconds(60)).until(() -> get("/readyz").statusCode() == 200);
    return this;
  }

  private void readStderr() {
    try (BufferedReader r =
        new BufferedReader(
            new InputStreamReader(process.getErrorStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = r.readLine()) != null) {
        stderr.add(line);
        Matcher m = LISTENING.matcher(line);
        if (mcp == null && m.find()) mcp = URI.create(m.group(1));
      }
    } catch (IOException e) {
      // process ended
    }
  }

  URI mcp() {
    return mcp;
  }

  URI uri(String path) {
    return mcp.resolve(path);
  }

  HttpResponse<String> get(String path) throws IOException, InterruptedException {
    return http.send(
        HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(30)).GET().build(),
        HttpResponse.BodyHandlers.ofString());
  }

  McpHttpClient client() {
    return new McpHttpClient(http, mcp, Map.of());
  }

  McpHttpClient client(Map<String, String> headers) {
    return new McpHttpClient(http, mcp, headers);
  }

  String stderrText() {
    return String.join("\n", stderr);
  }

  Process process() {
    return process;
  }

  @Override
  public void close() {
    List<ProcessHandle> children = process.descendants().toList();
    process.destroy(); // SIGTERM: the shutdown hook drains and stops the workers
    try {
      if (!process.waitFor(20, TimeUnit.SECONDS)) process.destroyForcibly();
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
    children.forEach(ProcessHandle::destroyForcibly);
  }
}
