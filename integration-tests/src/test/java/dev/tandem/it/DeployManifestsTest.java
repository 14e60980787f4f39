package dev.tandem.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The files in deploy/ against the daemon they deploy, so they cannot drift from it: the probe and
 * health-check paths answer on a real {@code tandem serve --http}, the variables the manifest sets
 * change what {@code tandem check --print} reports, HAProxy accepts both of its configs, and the
 * pod's termination grace outlasts the drain and the shutdown grace it sets.
 */
class DeployManifestsTest {

  static final Path DEPLOY = Tandem.HOME.resolve("deploy");
  static final Path TANDEM_YAML = DEPLOY.resolve("kubernetes/tandem.yaml");
  static final Path HAPROXY_YAML = DEPLOY.resolve("kubernetes/haproxy.yaml");

  @Test
  void everyPathTheProbesAndHealthChecksUseAnswersOnARealReplica() throws Exception {
    List<String> paths = new ArrayList<>();
    paths.addAll(all(Pattern.compile("path: (/[a-z]+)"), Files.readString(TANDEM_YAML)));
    for (Path cfg : List.of(Haproxy.CONFIG, HAPROXY_YAML))
      paths.addAll(
          all(Pattern.compile("http-check send meth GET uri (\\S+)"), Files.readString(cfg)));
    assertTrue(paths.containsAll(List.of("/healthz", "/readyz")), paths.toString());
    try (HttpDaemon d = HttpDaemon.serve(Tandem.EXAMPLES).awaitReady()) {
      for (String path : paths) assertEquals(200, d.get(path).statusCode(), path);
    }
  }

  @Test
  void haproxyAcceptsTheShippedConfigAndTheClustersOne() throws Exception {
    Path bin = Haproxy.binary();
    Path fromYaml = Files.createTempFile("tandem-k8s-haproxy", ".cfg");
    Files.writeString(fromYaml, configMapFile(Files.readString(HAPROXY_YAML), "haproxy.cfg"));
    for (Path cfg : List.of(Haproxy.CONFIG, fromYaml)) {
      ProcessBuilder pb = new ProcessBuilder(bin.toString(), "-c", "-f", cfg.toString());
      pb.environment().put("TANDEM_LB_BIND", "127.0.0.1:1");
      pb.environment().put("TANDEM_REPLICA_1", "127.0.0.1:2");
      pb.environment().put("TANDEM_REPLICA_2", "127.0.0.1:3");
      Process p = pb.redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes());
      assertEquals(0, p.waitFor(), cfg + ": " + out);
    }
  }

  @Test
  void theTerminationGraceOutlastsTheDrainAndTheShutdownGrace() throws Exception {
    String yaml = Files.readString(TANDEM_YAML);
    Map<String, String> env = literalEnv(yaml);
    long drainMs = Long.parseLong(env.get("TANDEM_HTTP_DRAIN_MS"));
    long graceMs = Long.parseLong(env.get("TANDEM_SHUTDOWN_GRACE_MS"));
    long podSeconds =
        Long.parseLong(first(Pattern.compile("terminationGracePeriodSeconds: (\\d+)"), yaml));
    // Stopping the workers takes up to 2 s after the calls are done (Serve.drainAndStop).
    assertTrue(
        podSeconds * 1000 >= drainMs + graceMs + 2_000 + 5_000,
        "terminationGracePeriodSeconds " + podSeconds + " leaves a margin past the drain");
    assertFalse(yaml.contains("preStop:"), "the drain replaces a preStop sleep");
  }

  @Test
  void everyVariableTheManifestSetsIsOneTheDaemonReads() throws Exception {
    String yaml = Files.readString(TANDEM_YAML);
    Map<String, String> env = new LinkedHashMap<>(literalEnv(yaml));
    List<String> secrets = secretEnv(yaml);
    assertTrue(
        secrets.containsAll(List.of("TANDEM_HTTP_TOKEN", "TANDEM_STATE_KEY")), secrets.toString());
    for (String name : secrets)
      env.put(name, "manifest-secret-0123456789abcdefghijklmnopqrstuvwxyz");
    // The image's file is not here; the examples stand in for it.
    assertEquals("/etc/tandem/tandem.toml", env.put("TANDEM_CONFIG", Tandem.EXAMPLES.toString()));
    var check = TandemCli.run(Tandem.BIN, List.of("check", "--no-start", "--print"), env, null);
    assertEquals(0, check.status(), check.stderr());
    String out = check.stdout() + check.stderr();
    for (String name : env.keySet()) {
      if (name.equals("TANDEM_CONFIG") || name.equals("TANDEM_LOG_FORMAT")) continue;
      assertTrue(out.contains(name), name + " changes nothing tandem check reports:\n" + out);
    }
    assertTrue(out.contains("drain_ms = 5000  # from TANDEM_HTTP_DRAIN_MS"), out);
    assertFalse(out.contains("manifest-secret"), "secrets are never printed");
  }

  /** The {@code - {name: X, value: "Y"}} entries of the manifest's container env. */
  static Map<String, String> literalEnv(String yaml) {
    Map<String, String> env = new LinkedHashMap<>();
    Matcher m =
        Pattern.compile("- \\{name: (TANDEM_[A-Z_]+), value: \"?([^\"}]*)\"?\\}").matcher(yaml);
    while (m.find()) env.put(m.group(1), m.group(2));
    return env;
  }

  /** The names set from a Secret ({@code - name: X} then {@code valueFrom}). */
  static List<String> secretEnv(String yaml) {
    return all(Pattern.compile("- name: (TANDEM_[A-Z_]+)\\s+valueFrom: \\{secretKeyRef"), yaml);
  }

  /** A file of a ConfigMap, its block scalar unindented. */
  static String configMapFile(String yaml, String name) {
    String head = "  " + name + ": |\n";
    int at = yaml.indexOf(head);
    assertTrue(at >= 0, "no " + name + " in the ConfigMap");
    StringBuilder out = new StringBuilder();
    for (String line : yaml.substring(at + head.length()).split("\n")) {
      if (!line.isEmpty() && !line.startsWith("    ")) break;
      out.append(line.length() >= 4 ? line.substring(4) : "").append('\n');
    }
    return out.toString();
  }

  private static List<String> all(Pattern p, String text) {
    List<String> out = new ArrayList<>();
    Matcher m = p.matcher(text);
    while (m.find()) out.add(m.group(1));
    return out;
  }

  private static String first(Pattern p, String text) {
    Matcher m = p.matcher(text);
    assertTrue(m.find(), p.toString());
    return m.group(1);
  }
}
