package dev.tandem.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * bin/tandem offers the JVM the AOT cache trained on the path it is about to run: the HTTP one for
 * {@code serve --http} (Netty and the metrics, ~1,300 classes stdio never loads), the stdio one
 * otherwise, neither when it is older than the jar, and none when {@code TANDEM_JAVA_OPTS} names a
 * cache itself (a training run: the JVM refuses two). The real launcher runs in a copy of the
 * tree's layout whose bundled "java" prints the arguments it was given.
 */
class LauncherPicksAotCacheTest {

  @TempDir Path home;
  private Path jar;
  private Path stdioCache;
  private Path httpCache;

  @BeforeEach
  void layout() throws IOException {
    Files.createDirectories(home.resolve("bin"));
    Files.copy(Tandem.BIN, home.resolve("bin/tandem"));
    Path java = Files.createDirectories(home.resolve("runtime/bin")).resolve("java");
    Files.writeString(java, "#!/bin/sh\nprintf '%s\\n' \"$@\"\n");
    Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwx------"));
    Files.writeString(home.resolve("runtime/release"), "JAVA_VERSION=\"25.0.1\"\n");
    Path target = Files.createDirectories(home.resolve("supervisor/target"));
    jar = Files.writeString(target.resolve("tandem.jar"), "");
    stdioCache = Files.writeString(target.resolve("tandem.aot"), "");
    httpCache = Files.writeString(target.resolve("tandem-http.aot"), "");
    Instant built = Instant.now().minusSeconds(60);
    Files.setLastModifiedTime(jar, FileTime.from(built));
    Files.setLastModifiedTime(stdioCache, FileTime.from(built.plusSeconds(10)));
    Files.setLastModifiedTime(httpCache, FileTime.from(built.plusSeconds(20)));
  }

  @Test
  void stdioGetsTheStdioCache() throws Exception {
    assertEquals(List.of("-XX:AOTCache=" + stdioCache), caches(Map.of(), "serve"));
  }

  @Test
  void httpGetsTheHttpCache() throws Exception {
    assertEquals(
        List.of("-XX:AOTCache=" + httpCache), caches(Map.of(), "serve", "--http", "127.0.0.1:0"));
    assertEquals(
        List.of("-XX:AOTCache=" + httpCache), caches(Map.of(), "serve", "--http=127.0.0.1:0"));
  }

  @Test
  void anHttpCacheOlderThanTheJarIsPassedOver() throws Exception {
    Files.setLastModifiedTime(httpCache, FileTime.from(Instant.now().minusSeconds(3600)));
    assertEquals(List.of("-XX:AOTCache=" + stdioCache), caches(Map.of(), "serve", "--http"));
  }

  @Test
  void aTrainingRunsOwnCacheOptionIsTheOnlyOne() throws Exception {
    assertEquals(
        List.of("-XX:AOTCacheOutput=/tmp/x.aot"),
        caches(Map.of("TANDEM_JAVA_OPTS", "-XX:AOTCacheOutput=/tmp/x.aot"), "serve", "--http"));
  }

  /** The launcher's AOT cache options, as the bundled "java" received them. */
  private List<String> caches(Map<String, String> env, String... args) throws Exception {
    List<String> argv = new ArrayList<>(List.of(home.resolve("bin/tandem").toString()));
    argv.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(argv).redirectErrorStream(true);
    pb.environment().remove("TANDEM_JAVA_OPTS");
    pb.environment().putAll(env);
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(10, TimeUnit.SECONDS), "the launcher did not exit");
    assertEquals(0, p.exitValue(), out);
    assertTrue(out.contains("-jar\n" + jar + "\n"), "the launcher did not start the jar: " + out);
    return out.lines().filter(a -> a.startsWith("-XX:AOTCache")).toList();
  }
}
