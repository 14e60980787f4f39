package dev.tandem.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * README's first command on a clone, as a newcomer without Maven runs it: the files git tracks
 * copied into an empty directory, a HOME with an empty {@code ~/.m2}, and a PATH with no {@code
 * mvn}. {@code ./mvnw} must fetch the pinned Maven (checking its SHA-256) and {@code make build}
 * must build with it. Both downloads are served from copies on this machine so the test costs no
 * network: the wrapper's through {@code MVNW_REPOURL} from a loopback HTTP server holding the zip
 * Maven Central serves (integration-tests/pom.xml copies it), Maven's through a settings.xml mirror
 * of the local repository the outer build has filled.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class FreshCloneBuildTest {

  @TempDir static Path root;
  static Path clone;
  static Path home;
  static Map<String, String> env;
  static String pinnedVersion;
  static HttpServer mirror;
  static final ConcurrentLinkedQueue<String> served = new ConcurrentLinkedQueue<>();

  @BeforeAll
  static void aCloneAnEmptyHomeAndNoMavenOnPath() throws Exception {
    clone = Files.createDirectories(root.resolve("tandem"));
    for (String file :
        exec(
                List.of("git", "-C", Tandem.HOME.toString(), "ls-files", "-z"),
                Map.of(),
                Tandem.HOME,
                60)
            .split("\0")) {
      Path from = Tandem.HOME.resolve(file);
      if (file.isEmpty() || !Files.exists(from, LinkOption.NOFOLLOW_LINKS))
        continue; // deleted, not yet committed
      Path to = clone.resolve(file);
      Files.createDirectories(to.getParent());
      Files.copy(from, to, StandardCopyOption.COPY_ATTRIBUTES, LinkOption.NOFOLLOW_LINKS);
    }

    Properties wrapper = new Properties();
    try (var in = Files.newInputStream(clone.resolve(".mvn/wrapper/maven-wrapper.properties"))) {
      wrapper.load(in);
    }
    String url = wrapper.getProperty("distributionUrl");
    pinnedVersion = url.replaceAll(".*/apache-maven-(.*)-bin\\.zip$", "$1");

    Path dist = Path.of(System.getProperty("maven.dist.dir"));
    Path zip =
        dist.resolve(
            "org/apache/maven/apache-maven/"
                + pinnedVersion
                + "/apache-maven-"
                + pinnedVersion
                + "-bin.zip");
    assertTrue(
        Files.isRegularFile(zip),
        zip
            + " is missing: integration-tests/pom.xml's wrapper.maven.version must be "
            + pinnedVersion
            + ", the version .mvn/wrapper/maven-wrapper.properties pins");
    mirror = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    mirror.createContext(
        "/",
        exchange -> {
          served.add(exchange.getRequestURI().getPath());
          Path file = dist.resolve(exchange.getRequestURI().getPath().substring(1)).normalize();
          try (exchange) {
            if (!file.startsWith(dist) || !Files.isRegularFile(file)) {
              exchange.sendResponseHeaders(404, -1);
              return;
            }
            exchange.sendResponseHeaders(200, Files.size(file));
            try (OutputStream body = exchange.getResponseBody()) {
              Files.copy(file, body);
            }
          }
        });
    mirror.start();

    home = Files.createDirectories(root.resolve("home"));
    Files.createDirectories(home.resolve(".m2"));
    Files.writeString(
        home.resolve(".m2/settings.xml"),
        """
        <settings>
          <mirrors>
            <mirror>
              <id>outer-build-repository</id>
              <mirrorOf>*</mirrorOf>
              <url>%s</url>
            </mirror>
          </mirrors>
        </settings>
        """
            .formatted(Path.of(System.getProperty("maven.local.repo")).toUri()));

    Path bin = Files.createDirectories(root.resolve("path-bin"));
    String path = linkFarmWithout(Set.of("mvn", "mvnDebug", "mvnyjp"), bin);
    env = new HashMap<>();
    env.put("PATH", path);
    env.put("HOME", home.toString());
    // Maven's JVM takes ~ from the password database, not from HOME.
    env.put("MAVEN_OPTS", "-Duser.home=" + home);
    env.put("MVNW_REPOURL", "http://127.0.0.1:" + mirror.getAddress().getPort());
    env.put("TANDEM_TRACE_DIR", "off");
    // What would lend this build the developer's Maven or make, or send wget to a proxy for the
    // loopback mirror (nothing in the build reaches further than that mirror and the file one).
    for (String inherited :
        List.of(
            "MAVEN_HOME",
            "M2_HOME",
            "MAVEN_ARGS",
            "MAVEN_USER_HOME",
            "MAVEN_CONFIG",
            "MAVEN_BASEDIR",
            "MAVEN_PROJECTBASEDIR",
            "MAVEN_CMD_LINE_ARGS",
            "MAKEFLAGS",
            "MFLAGS",
            "MAKELEVEL",
            "PYENV_VERSION",
            "http_proxy",
            "HTTP_PROXY",
            "https_proxy",
            "HTTPS_PROXY",
            "all_proxy",
            "ALL_PROXY")) {
      env.put(inherited, null);
    }
    assertTrue(
        exec(List.of("sh", "-c", "command -v mvn || echo none"), env, clone, 30)
            .strip()
            .equals("none"),
        "mvn must not be on the PATH of the clone's build: " + path);
  }

  @AfterAll
  static void stopMirrorAndUnlinkPath() throws IOException {
    if (mirror != null) mirror.stop(0);
    // Unlinked here: JUnit's cleanup warns about every link it finds pointing out of the temp dir.
    try (Stream<Path> links = Files.list(root.resolve("path-bin"))) {
      for (Path link : (Iterable<Path>) links::iterator) Files.delete(link);
    }
  }

  @Test
  @Order(1)
  void mvnwFetchesThePinnedMavenAndChecksIt() throws Exception {
    String out = exec(List.of("./mvnw", "-v"), env, clone, 120);
    assertTrue(out.startsWith("Apache Maven " + pinnedVersion + " "), out);
    assertEquals(
        List.of(
            "/org/apache/maven/apache-maven/"
                + pinnedVersion
                + "/apache-maven-"
                + pinnedVersion
                + "-bin.zip"),
        List.copyOf(served),
        "the wrapper downloaded the pinned zip once");
    try (Stream<Path> dists = Files.list(home.resolve(".m2/wrapper/dists"))) {
      assertEquals(
          List.of("apache-maven-" + pinnedVersion),
          dists.map(p -> p.getFileName().toString()).toList());
    }
  }

  @Test
  @Order(2)
  void makeRunBuildsWithTheWrappersMavenIntoAnEmptyRepositoryAndToursTheExamples()
      throws Exception {
    // README's first command: the build, then the tour through the real daemon.
    String tour = exec(List.of("make", "run"), env, clone, 600);
    assertTrue(
        Files.isRegularFile(clone.resolve("supervisor/target/tandem.jar")),
        "make run built the daemon's jar");
    assertTrue(
        tour.contains("all answered in") && tour.contains("Add tandem to a host:"),
        "the tour ran to its end:\n" + tour);
    assertTrue(
        Files.isDirectory(home.resolve(".m2/repository/io/netty")),
        "dependencies went into the new, empty repository");
    String version = exec(List.of("bin/tandem", "--version"), env, clone, 60);
    assertTrue(version.startsWith("tandem "), version);
  }

  /**
   * A directory of links to every command on the test's PATH but {@code excluded}, with the real
   * python3 (not a pyenv shim, which looks under HOME) first; returns a PATH naming only it.
   */
  private static String linkFarmWithout(Set<String> excluded, Path bin) throws Exception {
    Path python =
        Path.of(
            exec(List.of("python3", "-c", "import sys; print(sys.executable)"), Map.of(), root, 30)
                .strip());
    Files.createSymbolicLink(bin.resolve("python3"), python.toRealPath());
    for (String dir : System.getenv("PATH").split(File.pathSeparator)) {
      Path d = Path.of(dir);
      if (dir.isEmpty() || !Files.isDirectory(d) || dir.contains("/.pyenv/shims")) continue;
      try (Stream<Path> entries = Files.list(d)) {
        for (Path p : (Iterable<Path>) entries::iterator) {
          Path link = bin.resolve(p.getFileName().toString());
          if (excluded.contains(p.getFileName().toString())
              || Files.exists(link, LinkOption.NOFOLLOW_LINKS)) continue;
          if (Files.isExecutable(p) && !Files.isDirectory(p))
            Files.createSymbolicLink(link, p.toAbsolutePath());
        }
      }
    }
    return bin.toString();
  }

  /**
   * Runs argv to its end in dir with env put over the test's (null removes); fails unless it exits
   * 0.
   */
  private static String exec(List<String> argv, Map<String, String> env, Path dir, int seconds)
      throws IOException, InterruptedException {
    ProcessBuilder pb =
        new ProcessBuilder(new ArrayList<>(argv)).directory(dir.toFile()).redirectErrorStream(true);
    env.forEach(
        (k, v) -> {
          if (v == null) pb.environment().remove(k);
          else pb.environment().put(k, v);
        });
    Path out = Files.createTempFile(root, "exec", ".out");
    long start = System.nanoTime();
    Process p =
        pb.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
            .redirectOutput(out.toFile())
            .start();
    if (!p.waitFor(seconds, TimeUnit.SECONDS)) {
      p.descendants().forEach(ProcessHandle::destroyForcibly);
      p.destroyForcibly();
      throw new AssertionError(
          String.join(" ", argv)
              + " did not finish in "
              + seconds
              + " s:\n"
              + Files.readString(out));
    }
    String text = Files.readString(out, StandardCharsets.UTF_8);
    System.out.printf(
        "FreshCloneBuildTest: %s took %.1f s%n",
        String.join(" ", argv), (System.nanoTime() - start) / 1e9);
    if (p.exitValue() != 0)
      throw new AssertionError(String.join(" ", argv) + " exited " + p.exitValue() + ":\n" + text);
    return text;
  }
}
