package dev.tandem.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The release tarball ({@code make dist}, which {@code make test} builds first) unpacked into an
 * empty directory and run on a machine that, as far as it can tell, has no Java and no Maven: PATH
 * holds python3's directory and a directory of links to node and the few POSIX tools the launcher
 * uses, nothing else. The official TypeScript SDK client then drives it over stdio. This is the
 * promise of the tarball: a single thing to unpack that needs only python3.
 */
class DistributionTest {

  private static final double MIB = 1024 * 1024;

  @TempDir static Path root;
  static Path tarball;
  static Path unpacked;
  static Path bin;
  static Map<String, String> env;

  @BeforeAll
  static void unpackIntoAnEmptyDirectoryWithoutJavaOnPath() throws Exception {
    tarball = newestTarball();
    Path into = Files.createDirectories(root.resolve("unpacked"));
    exec(List.of("tar", "-xzf", tarball.toString(), "-C", into.toString()));
    try (Stream<Path> top = Files.list(into)) {
      unpacked = top.findFirst().orElseThrow();
    }
    bin = unpacked.resolve("bin/tandem");

    Path tools = Files.createDirectories(root.resolve("path-bin"));
    // node's own directory (/usr/bin here) holds java and mvn too, so node is linked in instead.
    for (String tool :
        List.of("node", "sh", "sed", "head", "ls", "sort", "dirname", "readlink", "cat", "uname")) {
      Files.createSymbolicLink(
          tools.resolve(tool),
          which(tool).orElseThrow(() -> new AssertionError(tool + " not on PATH")));
    }
    Path python =
        Path.of(exec(List.of("python3", "-c", "import sys; print(sys.executable)")).strip())
            .toRealPath();
    String path = tools + File.pathSeparator + python.getParent();

    env = new HashMap<>();
    env.put("PATH", path);
    env.put("HOME", Files.createDirectories(root.resolve("home")).toString());
    env.put("TANDEM_TRACE_DIR", "off");
    env.put("LANG", "C.UTF-8");
    for (String absent : List.of("java", "javac", "mvn", "jshell")) {
      assertTrue(
          whichIn(absent, path).isEmpty(), absent + " must not be on the stripped PATH " + path);
    }
  }

  /** Sizes as du -h counts them (MiB): the issue measured 64 and 106 with netty-all. */
  @Test
  void isLean() throws Exception {
    double tarMiB = Files.size(tarball) / MIB;
    double unpackedMiB;
    try (Stream<Path> files = Files.walk(unpacked)) {
      unpackedMiB =
          files.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum() / MIB;
    }
    System.out.printf(
        "DistributionTest: %s is %.1f MiB, %.1f MiB unpacked%n",
        tarball.getFileName(), tarMiB, unpackedMiB);
    assertTrue(tarMiB <= 40, "the tarball is %.1f MiB, over 40".formatted(tarMiB));
    assertTrue(
        unpackedMiB <= 75, "the tarball unpacks to %.1f MiB, over 75".formatted(unpackedMiB));
    try (Stream<Path> jars = Files.list(unpacked.resolve("libexec/lib"))) {
      List<String> netty =
          jars.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("netty-")).toList();
      assertTrue(
          netty.stream()
              .noneMatch(
                  n ->
                      n.startsWith("netty-all")
                          || n.contains("osx")
                          || n.contains("windows")
                          || n.contains("riscv")
                          || n.contains("quic")
                          || n.contains("http3")),
          netty.toString());
    }
  }

  /**
   * The runtime holds only the JDK modules jdeps found, less Jackson's optional ones: the HTTP
   * transport (Netty) and {@code tandem status} (java.net.http) must run on it as they do on a JDK.
   */
  @Test
  void servesHttpAndStatusOnItsTrimmedRuntime() throws Exception {
    try (HttpDaemon daemon = HttpDaemon.serve(bin, null, env).awaitReady()) {
      McpHttpClient client = daemon.client();
      JsonNode init = client.initialize();
      assertEquals("tandem", init.at("/result/serverInfo/name").asText(), init.toString());
      List<JsonNode> answer =
          client.callTool(
              "1", "echo", DaemonProcess.JSON.createObjectNode().put("text", "over http"), null);
      assertEquals(
          "over http", answer.getLast().at("/result/content/0/text").asText(), answer.toString());
      assertEquals(200, daemon.get("/metrics").statusCode());
      TandemCli.Result status = run(List.of("status", "--url", daemon.mcp().toString()));
      assertEquals(0, status.status(), status.toString());
      assertTrue(status.stdout().contains("examples"), status.toString());
    }
  }

  @Test
  void runsOnItsBundledRuntime() throws Exception {
    TandemCli.Result r = run(List.of("--version"));
    assertEquals(0, r.status(), r.toString());
    assertTrue(r.stdout().startsWith("tandem "), r.toString());
    assertTrue(
        r.stdout().contains("(" + unpacked.resolve("runtime") + ")"),
        "java.home is the bundled runtime: " + r);
  }

  @Test
  void theTypeScriptSdkClientDrivesItOverStdio() throws Exception {
    JsonNode report =
        NodeScript.run(
            "sdk-stdio-check.mjs",
            List.of("--concurrency", "20"),
            List.of(bin.toString(), "serve"),
            240,
            env);
    assertEquals("tandem", report.at("/serverVersion/name").asText(), report.toString());
    List<String> tools = report.path("tools").findValuesAsText("name");
    assertTrue(
        tools.containsAll(List.of("echo", "text_stats", "fail", "shout", "sleep", "count")),
        tools.toString());
    JsonNode calls = report.get("calls");
    assertEquals("hi hi", calls.at("/echo/content/0/text").asText(), calls.toString());
    assertEquals(3, calls.at("/text_stats/structuredContent/words").asInt(), calls.toString());
    assertTrue(calls.at("/fail/isError").asBoolean(), calls.toString());
    assertEquals("HEY", calls.at("/shout/content/0/text").asText(), calls.toString());
    assertEquals(3, report.at("/progressWire/count").size(), report.toString());
    assertEquals(20, report.at("/concurrent/ok").asInt(), report.get("concurrent").toString());
    assertEquals(0, report.at("/shutdown/exit/code").asInt(-1), report.get("shutdown").toString());
  }

  @Test
  void checkAndCallWorkFromTheTarball() throws Exception {
    TandemCli.Result check = run(List.of("check"));
    assertEquals(0, check.status(), check.toString());
    assertTrue(
        check.stdout().startsWith(unpacked.resolve("examples/tandem.toml") + ": ok; 6 tools"),
        check.toString());
    TandemCli.Result call = run(List.of("call", "echo", "--arg", "text=from the tarball"));
    assertEquals(0, call.status(), call.toString());
    assertEquals("from the tarball\n", call.stdout());
  }

  @Test
  void shipsACycloneDxSbomOfEveryBundledJarAndTheSystemdUnit() throws Exception {
    JsonNode sbom =
        DaemonProcess.JSON.readTree(unpacked.resolve("share/tandem-sbom.cdx.json").toFile());
    assertEquals("CycloneDX", sbom.get("bomFormat").asText());
    List<String> names = sbom.path("components").findValuesAsText("name");
    assertTrue(
        names.containsAll(List.of("picocli", "jackson-databind", "netty-codec-http")),
        names.toString());
    try (Stream<Path> jars = Files.list(unpacked.resolve("libexec/lib"))) {
      assertEquals(
          jars.count(),
          sbom.get("components").size(),
          "one component per jar the daemon runs with");
    }
    String unit = Files.readString(unpacked.resolve("share/systemd/tandem.service"));
    assertTrue(unit.contains("KillMode=mixed") && unit.contains("Restart=on-failure"), unit);
  }

  @Test
  void makeInstallsLayoutRunsThroughItsSymlink() throws Exception {
    Path prefix = root.resolve("prefix");
    exec(
        List.of(
            Tandem.HOME.resolve("packaging/install.sh").toString(),
            tarball.toString(),
            prefix.toString()));
    Path link = prefix.resolve("bin/tandem");
    assertTrue(Files.isSymbolicLink(link), "PREFIX/bin/tandem is a link");
    assertEquals(Path.of("../lib/tandem/bin/tandem"), Files.readSymbolicLink(link));
    TandemCli.Result r = TandemCli.run(link, List.of("--version"), withoutInherited(), null);
    assertEquals(0, r.status(), r.toString());
    assertTrue(r.stdout().contains("(" + prefix.resolve("lib/tandem/runtime") + ")"), r.toString());
    // Installing again replaces the old tree whole.
    exec(
        List.of(
            Tandem.HOME.resolve("packaging/install.sh").toString(),
            tarball.toString(),
            prefix.toString()));
    try (Stream<Path> lib = Files.list(prefix.resolve("lib"))) {
      assertEquals(
          List.of(prefix.resolve("lib/tandem")),
          lib.toList(),
          "no staging or old trees left behind");
    }
  }

  private static TandemCli.Result run(List<String> args) throws Exception {
    return TandemCli.run(bin, args, withoutInherited(), root);
  }

  /** The stripped environment, with every inherited variable not in it removed. */
  private static Map<String, String> withoutInherited() {
    Map<String, String> out = new HashMap<>();
    System.getenv().keySet().forEach(k -> out.put(k, null));
    out.putAll(env);
    return out;
  }

  private static Path newestTarball() throws IOException {
    Path dist = Tandem.HOME.resolve("dist");
    try (Stream<Path> files = Files.isDirectory(dist) ? Files.list(dist) : Stream.empty()) {
      return files
          .filter(p -> p.getFileName().toString().matches("tandem-.*-linux-x86_64\\.tar\\.gz"))
          .max((a, b) -> Long.compare(a.toFile().lastModified(), b.toFile().lastModified()))
          .orElseThrow(
              () ->
                  new AssertionError(
                      "no tarball in " + dist + ": run 'make dist' (make test builds it first)"));
    }
  }

  private static Optional<Path> which(String tool) {
    return whichIn(tool, System.getenv("PATH"));
  }

  private static Optional<Path> whichIn(String tool, String path) {
    for (String dir : path.split(File.pathSeparator)) {
      Path p = Path.of(dir, tool);
      if (Files.isExecutable(p) && !Files.isDirectory(p)) {
        try {
          return Optional.of(p.toRealPath());
        } catch (IOException e) {
          return Optional.of(p);
        }
      }
    }
    return Optional.empty();
  }

  private static String exec(List<String> argv) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new AssertionError(String.join(" ", argv) + " failed:\n" + out);
    }
    return out;
  }
}
