package dev.tandem.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.net.URI;
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
 * change what {@code tandem check --print} reports, HAProxy accepts both of its configs, the pod's
 * termination grace outlasts the drain and the shutdown grace it sets, the task store's URL in the
 * Secret names the Redis the manifests deploy (its Service, port and password), and the memory
 * asked for follows BENCHMARKS.md's RSS rows.
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
        secrets.containsAll(List.of("TANDEM_HTTP_TOKEN", "TANDEM_STATE_KEY", "TANDEM_TASKS_STORE")),
        secrets.toString());
    for (String name : secrets)
      env.put(name, "manifest-secret-0123456789abcdefghijklmnopqrstuvwxyz");
    // The Secret's tasks-store as the documented command makes it, a password in it.
    env.put(
        "TANDEM_TASKS_STORE",
        secretCommand(yaml)
            .get("tasks-store")
            .replace("$REDIS_PASSWORD", "manifest-secret-0123456789abcdefghijklmnopqrstuvwxyz"));
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
    assertTrue(
        out.contains("store = \"redis://tandem-redis:6379/0\"  # from TANDEM_TASKS_STORE"), out);
    assertFalse(out.contains("manifest-secret"), "secrets are never printed");
  }

  @Test
  void theTasksStoreIsTheSecretsUrlOfTheRedisServiceWithTheRedisPassword() throws Exception {
    String yaml = Files.readString(TANDEM_YAML);
    List<JsonNode> tandem = documents(TANDEM_YAML);
    List<JsonNode> redis = documents(REDIS_YAML);
    JsonNode deployment = only(tandem, "Deployment");
    JsonNode container = deployment.at("/spec/template/spec/containers/0");
    assertEquals(
        "tandem/tasks-store", secretRef(container, "TANDEM_TASKS_STORE"), container.toString());

    // The command both tandem.yaml and deploy/README.md give creates every key a manifest reads.
    Map<String, String> secret = secretCommand(yaml);
    assertEquals(secret, secretCommand(Files.readString(DEPLOY.resolve("README.md"))));
    List<String> refs = new ArrayList<>();
    for (JsonNode doc : concat(tandem, redis)) collectSecretRefs(doc, refs);
    for (String ref : refs) {
      assertTrue(ref.startsWith("tandem/"), ref);
      assertTrue(secret.containsKey(ref.substring(7)), ref + " is not created: " + secret.keySet());
    }

    // tasks-store names the Redis Service, on its port, with the password Redis requires.
    URI store = URI.create(secret.get("tasks-store"));
    JsonNode service = only(redis, "Service");
    JsonNode set = only(redis, "StatefulSet");
    assertEquals("redis", store.getScheme());
    assertEquals(service.at("/metadata/name").asText(), store.getHost());
    JsonNode servicePort = service.at("/spec/ports/0");
    assertEquals(servicePort.path("port").asInt(), store.getPort());
    JsonNode redisContainer = set.at("/spec/template/spec/containers/0");
    JsonNode containerPort = redisContainer.at("/ports/0");
    assertEquals(servicePort.path("targetPort").asText(), containerPort.path("name").asText());
    List<String> args = new ArrayList<>();
    redisContainer.path("args").forEach(a -> args.add(a.asText()));
    assertEquals(containerPort.path("containerPort").asText(), after(args, "--port"));
    assertEquals("$(REDIS_PASSWORD)", after(args, "--requirepass"));
    assertEquals("tandem/redis-password", secretRef(redisContainer, "REDIS_PASSWORD"));
    assertEquals(":" + secret.get("redis-password"), store.getUserInfo());
    assertEquals(
        "noeviction", after(args, "--maxmemory-policy"), "a full store refuses, not drops");
    assertEquals(service.at("/spec/selector"), set.at("/spec/template/metadata/labels"));

    // Only tandem's pods reach it.
    JsonNode policy = only(redis, "NetworkPolicy");
    assertEquals(
        set.at("/spec/template/metadata/labels"), policy.at("/spec/podSelector/matchLabels"));
    assertEquals(
        deployment.at("/spec/template/metadata/labels"),
        policy.at("/spec/ingress/0/from/0/podSelector/matchLabels"));
    assertEquals(
        containerPort.path("containerPort").asInt(),
        policy.at("/spec/ingress/0/ports/0/port").asInt());
  }

  @Test
  void thePortTandemListensOnIsTheContainersAndTheServicesTarget() throws Exception {
    List<JsonNode> tandem = documents(TANDEM_YAML);
    JsonNode container = only(tandem, "Deployment").at("/spec/template/spec/containers/0");
    List<String> args = new ArrayList<>();
    container.path("args").forEach(a -> args.add(a.asText()));
    String listen = after(args, "--http");
    JsonNode port = container.at("/ports/0");
    assertEquals(
        listen.substring(listen.lastIndexOf(':') + 1), port.path("containerPort").asText());
    assertEquals(
        port.path("name").asText(),
        only(tandem, "Service").at("/spec/ports/0/targetPort").asText());
  }

  @Test
  void memoryIsSizedFromTheBenchmarksRssRows() throws Exception {
    String bench = Files.readString(Tandem.HOME.resolve("BENCHMARKS.md"));
    double daemonPeak =
        Math.max(
            maxOf(bench, "10,000 in flight, daemon peak RSS \\(MiB\\)"),
            maxOf(bench, "HTTP 50 users peak RSS, daemon, vs TS SDK v1 \\(MiB\\)"));
    double worker = maxOf(bench, "idle RSS, one worker \\(MiB\\)");
    String toml = configMapFile(Files.readString(TANDEM_YAML), "tandem.toml");
    int workers =
        Integer.parseInt(first(Pattern.compile("replicas = (\\d+)"), toml))
            + (toml.contains("spare =")
                ? Integer.parseInt(first(Pattern.compile("spare = (\\d+)"), toml))
                : 1); // [[pool]] spare's default
    JsonNode resources =
        only(documents(TANDEM_YAML), "Deployment").at("/spec/template/spec/containers/0/resources");
    double request = mebibytes(resources.at("/requests/memory").asText());
    double limit = mebibytes(resources.at("/limits/memory").asText());
    double needed = daemonPeak + workers * worker;
    assertTrue(
        request >= needed && request <= needed * 1.5,
        "requests.memory "
            + request
            + " MiB for the daemon's "
            + daemonPeak
            + " MiB and "
            + workers
            + " workers of "
            + worker
            + " MiB: "
            + needed
            + " MiB");
    assertTrue(
        limit / 4 >= daemonPeak,
        "the JVM's default heap cap, a quarter of the limit, is above the daemon's peak RSS");

    JsonNode redis =
        only(documents(REDIS_YAML), "StatefulSet").at("/spec/template/spec/containers/0");
    List<String> args = new ArrayList<>();
    redis.path("args").forEach(a -> args.add(a.asText()));
    String maxmemory = after(args, "--maxmemory");
    assertTrue(
        mebibytes(maxmemory.replace("mb", "Mi"))
            < mebibytes(redis.at("/resources/limits/memory").asText()),
        "Redis says full before the kernel kills it");
  }

  static final Path REDIS_YAML = DEPLOY.resolve("kubernetes/redis.yaml");
  static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  static List<JsonNode> documents(Path file) throws Exception {
    try (MappingIterator<JsonNode> it = YAML.readerFor(JsonNode.class).readValues(file.toFile())) {
      List<JsonNode> out = new ArrayList<>();
      while (it.hasNext()) {
        JsonNode doc = it.next();
        if (doc != null && !doc.isNull() && !doc.isMissingNode()) out.add(doc);
      }
      return out;
    }
  }

  static JsonNode only(List<JsonNode> docs, String kind) {
    List<JsonNode> of = docs.stream().filter(d -> kind.equals(d.path("kind").asText())).toList();
    assertEquals(1, of.size(), "one " + kind + " in the manifest");
    return of.get(0);
  }

  private static List<JsonNode> concat(List<JsonNode> a, List<JsonNode> b) {
    List<JsonNode> out = new ArrayList<>(a);
    out.addAll(b);
    return out;
  }

  /** "SECRET/KEY" of the env entry {@code name} of a container, null when it is not a Secret's. */
  static String secretRef(JsonNode container, String name) {
    for (JsonNode e : container.path("env")) {
      if (name.equals(e.path("name").asText())) {
        JsonNode ref = e.at("/valueFrom/secretKeyRef");
        return ref.isMissingNode()
            ? null
            : ref.path("name").asText() + "/" + ref.path("key").asText();
      }
    }
    return null;
  }

  private static void collectSecretRefs(JsonNode node, List<String> out) {
    if (node.has("secretKeyRef")) {
      JsonNode ref = node.get("secretKeyRef");
      out.add(ref.path("name").asText() + "/" + ref.path("key").asText());
    }
    for (JsonNode child : node) collectSecretRefs(child, out);
  }

  /** The {@code --from-literal=KEY="VALUE"} pairs of the {@code kubectl create secret} shown. */
  static Map<String, String> secretCommand(String text) {
    Map<String, String> out = new LinkedHashMap<>();
    Matcher m = Pattern.compile("--from-literal=([a-z-]+)=\"([^\"]*)\"").matcher(text);
    while (m.find()) out.put(m.group(1), m.group(2));
    assertTrue(out.containsKey("tasks-store"), "the Secret command sets tasks-store: " + out);
    return out;
  }

  private static String after(List<String> args, String flag) {
    int at = args.indexOf(flag);
    assertTrue(at >= 0 && at + 1 < args.size(), flag + " in " + args);
    return args.get(at + 1);
  }

  /** The largest value of a BENCHMARKS.md row for tandem, over every run it records. */
  private static double maxOf(String bench, String row) {
    Matcher m = Pattern.compile("\\| " + row + "\\s*\\| tandem\\s*\\|\\s*([0-9.]+)").matcher(bench);
    double max = 0;
    int rows = 0;
    while (m.find()) {
      max = Math.max(max, Double.parseDouble(m.group(1)));
      rows++;
    }
    assertTrue(rows > 0, "BENCHMARKS.md has the row " + row);
    return max;
  }

  private static double mebibytes(String quantity) {
    if (quantity.endsWith("Gi")) return 1024 * Double.parseDouble(quantity.replace("Gi", ""));
    assertTrue(quantity.endsWith("Mi"), quantity);
    return Double.parseDouble(quantity.replace("Mi", ""));
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
