package dev.tandem.it;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Real tandem replicas on fixed loopback ports (so a restarted one comes back where HAProxy looks
 * for it) behind the real HAProxy, sharing one requestState key. Each serves the example tools and
 * {@code env_var}, and its workers are given {@code TANDEM_IT_REPLICA=tandemN}: asking a session's
 * tool for that variable says which replica served the call.
 */
final class HaproxyReplicas implements AutoCloseable {

  static final String KEY = "replicas-it-key-0123456789abcdefghijklmnopqrstuv";

  /** Longer than HAProxy's inter 1 s x fall 2, plus a check's own time: see deploy/README.md. */
  static final String DRAIN_MS = "4000";

  static final String REPLICA_VAR = "TANDEM_IT_REPLICA";

  final int[] ports;
  final HttpDaemon[] replicas;
  final Haproxy lb;
  private final Path config;

  private HaproxyReplicas(int n, Path dir) throws Exception {
    config = config(dir);
    ports = new int[n];
    replicas = new HttpDaemon[n];
    try {
      for (int i = 0; i < n; i++) {
        ports[i] = Haproxy.freePort();
        replicas[i] = startReplica(i);
      }
      for (HttpDaemon r : replicas) r.awaitReady();
      lb = Haproxy.start(ports);
    } catch (Exception | AssertionError e) {
      for (HttpDaemon r : replicas) if (r != null) r.close();
      throw e;
    }
  }

  /** {@code n} replicas and HAProxy in front, once every replica is ready. */
  static HaproxyReplicas start(int n, Path dir) throws Exception {
    Haproxy.binary(); // skips the class, saying why, before starting anything
    return new HaproxyReplicas(n, dir);
  }

  static String name(int i) {
    return "tandem" + (i + 1);
  }

  private HttpDaemon startReplica(int i) throws Exception {
    Map<String, String> env = new HashMap<>();
    env.put("TANDEM_STATE_KEY", KEY);
    env.put("TANDEM_HTTP_DRAIN_MS", DRAIN_MS);
    env.put(REPLICA_VAR, name(i));
    return HttpDaemon.serveAt(ports[i], config, env);
  }

  /** Once HAProxy has seen replica {@code i} go, starts it again and waits until it is back. */
  void restart(int i, long downBefore) throws Exception {
    String name = name(i);
    await().atMost(Duration.ofSeconds(20)).until(() -> lb.transitions(name, "DOWN") > downBefore);
    long upBefore = lb.transitions(name, "UP");
    replicas[i] = startReplica(i).awaitReady();
    await().atMost(Duration.ofSeconds(30)).until(() -> lb.transitions(name, "UP") > upBefore);
  }

  long downs(int i) {
    return lb.transitions(name(i), "DOWN");
  }

  void kill9(int i) throws Exception {
    Answers.signal(replicas[i].process().pid(), "KILL");
    assertTrue(replicas[i].process().waitFor(20, TimeUnit.SECONDS));
  }

  /** SIGTERM, as Kubernetes or an operator stops a replica; its exit status once drained. */
  int sigtermAndWait(int i) throws Exception {
    Process p = replicas[i].process();
    Answers.signal(p.pid(), "TERM");
    assertTrue(p.waitFor(60, TimeUnit.SECONDS), name(i) + " exits after its drain");
    return p.exitValue();
  }

  int httpSessions(int i) throws Exception {
    return DaemonProcess.JSON
        .readTree(replicas[i].get("/status").body())
        .path("httpSessions")
        .asInt();
  }

  private static Path config(Path dir) throws Exception {
    var fixtures = HaproxyReplicas.class.getResource("/fixtures/env/env_tools.py");
    assertNotNull(fixtures, "fixtures/env is on the test classpath");
    Path tools = Path.of(fixtures.toURI()).getParent();
    return Tandem.config(
        dir,
        Tandem.examplesPool("examples", 2)
            + """
            [[pool]]
            name = "identity"
            modules = ["env_tools"]
            path = "%s"
            pass_env = ["%s"]
            """
                .formatted(tools, REPLICA_VAR));
  }

  @Override
  public void close() {
    if (lb != null) lb.close();
    for (HttpDaemon r : replicas) if (r != null) r.close();
  }
}
