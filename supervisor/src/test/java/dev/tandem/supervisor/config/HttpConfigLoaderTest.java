package dev.tandem.supervisor.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HttpConfigLoaderTest {

  @TempDir Path dir;

  private TandemConfig load(String http, String envToken) throws Exception {
    Path file = dir.resolve("tandem.toml");
    Files.writeString(file, "[[pool]]\nname = \"p\"\ncommand = [\"true\"]\n" + http);
    return new ConfigLoader(dir, envToken).load(file);
  }

  @Test
  void defaultsServeOnLoopbackWithoutAToken() throws Exception {
    HttpConfig http = load("", null).http();
    assertEquals("127.0.0.1", http.host());
    assertEquals(8765, http.port());
    assertNull(http.token());
    assertEquals(Duration.ofSeconds(15), http.keepalive());
    assertEquals(Duration.ofSeconds(60), http.idleTimeout());
    assertEquals(Duration.ofSeconds(30), http.readTimeout());
    assertEquals(0, http.maxConnections(), "0: the default cap, bounded by the fd limit at start");
  }

  @Test
  void everyKeyIsRead() throws Exception {
    HttpConfig http =
        load(
                """
        [http]
        listen = "[::1]:9000"
        token = "file-token"
        allowed_origins = ["https://app.example.com"]
        allowed_hosts = ["tandem.internal"]
        max_body_bytes = 65536
        keepalive_ms = 5000
        stream_buffer_bytes = 8192
        session_idle_ms = 60000
        idle_timeout_ms = 7000
        read_timeout_ms = 3000
        max_connections = 50
        """,
                null)
            .http();
    assertEquals("::1", http.host());
    assertEquals(9000, http.port());
    assertEquals("file-token", http.token());
    assertEquals(List.of("https://app.example.com"), http.allowedOrigins());
    assertEquals(List.of("tandem.internal"), http.allowedHosts());
    assertEquals(65536, http.maxBodyBytes());
    assertEquals(Duration.ofSeconds(5), http.keepalive());
    assertEquals(8192, http.streamBufferBytes());
    assertEquals(Duration.ofMinutes(1), http.sessionIdle());
    assertEquals(Duration.ofSeconds(7), http.idleTimeout());
    assertEquals(Duration.ofSeconds(3), http.readTimeout());
    assertEquals(50, http.maxConnections());
    assertTrue(!http.toString().contains("file-token"), "toString hides the token");
  }

  @Test
  void theEnvironmentTokenWinsOverTheFile() throws Exception {
    assertEquals("env-token", load("[http]\ntoken = \"file-token\"\n", "env-token").http().token());
  }

  @Test
  void anEmptyTokenIsTheOptOutAndABlankOneAMistake() throws Exception {
    assertTrue(load("[http]\ntoken = \"\"\n", null).http().open());
    assertTrue(!load("[http]\n", null).http().open(), "no token: serve --http generates one");
    var e = assertThrows(ConfigException.class, () -> load("[http]\ntoken = \"  \"\n", null));
    assertTrue(e.getMessage().contains("token must be a non-empty string"), e.getMessage());
  }

  @Test
  void mistakesNameTheKeyAndTheFix() {
    var e = assertThrows(ConfigException.class, () -> load("[http]\nlisten = \"8765\"\n", null));
    assertTrue(
        e.getMessage().contains("[http]: listen") && e.getMessage().contains("127.0.0.1:8765"),
        e.getMessage());
    e =
        assertThrows(
            ConfigException.class,
            () -> load("[http]\nallowed_origins = [\"evil.example\"]\n", null));
    assertTrue(e.getMessage().contains("scheme://host"), e.getMessage());
    e = assertThrows(ConfigException.class, () -> load("[http]\nport = 1\n", null));
    assertTrue(e.getMessage().contains("unknown key \"port\""), e.getMessage());
  }

  @Test
  void listenAddressesParse() {
    assertEquals(new ListenAddress("localhost", 0), ListenAddress.parse("localhost:0"));
    assertEquals(new ListenAddress("::1", 1), ListenAddress.parse("[::1]:1"));
    assertThrows(IllegalArgumentException.class, () -> ListenAddress.parse("::1:80"));
    assertThrows(IllegalArgumentException.class, () -> ListenAddress.parse("host:70000"));
    assertThrows(IllegalArgumentException.class, () -> ListenAddress.parse(":80"));
  }

  @Test
  void replicaKeysAKeyFileBesideTheConfigAndADrainPeriod() throws Exception {
    HttpConfig defaults = load("", null).http();
    assertNull(defaults.stateKeyFile(), "no file: a per-process key");
    assertEquals(Duration.ZERO, defaults.drain(), "one daemon stops at once");
    HttpConfig http =
        load(
                """
        [http]
        state_key_file = "secrets/state.key"
        drain_ms = 5000
        """,
                null)
            .http();
    assertEquals(dir.resolve("secrets/state.key"), http.stateKeyFile());
    assertEquals(Duration.ofSeconds(5), http.drain());
    var tooLong =
        assertThrows(ConfigException.class, () -> load("[http]\ndrain_ms = 600001\n", null));
    assertTrue(tooLong.getMessage().contains("drain_ms"), tooLong.getMessage());
  }
}
