package dev.tandem.supervisor.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HttpAuthTableTest {

  @TempDir Path dir;

  private TandemConfig load(String http, String envToken) throws Exception {
    Path file = dir.resolve("tandem.toml");
    Files.writeString(file, "[[pool]]\nname = \"p\"\ncommand = [\"true\"]\n" + http);
    return new ConfigLoader(dir, envToken).load(file);
  }

  private String refusal(String http, String envToken) {
    return assertThrows(ConfigException.class, () -> load(http, envToken)).getMessage();
  }

  @Test
  void noAuthTableMeansNoOAuth() throws Exception {
    assertNull(load("[http]\ntoken = \"t\"\n", null).http().auth());
  }

  @Test
  void everyKeyIsReadAndTheSecretFileMustBePrivate() throws Exception {
    Path secret = dir.resolve("client-secret");
    Files.writeString(secret, "s3cr3t-value\n");
    Files.setPosixFilePermissions(secret, PosixFilePermissions.fromString("rw-------"));
    TandemConfig loaded =
        load(
            """
                [http.auth]
                issuer = "https://auth.example.com/realms/tools"
                resource = "https://tools.example.com/mcp"
                audience = "api://tandem"
                jwks_uri = "https://auth.example.com/keys"
                introspection_endpoint = "https://auth.example.com/introspect"
                client_id = "tandem"
                client_secret_file = "client-secret"
                scopes = ["mcp:tools"]
                tool_scopes = { report = ["reports:read"] }
                pool_scopes = { p = ["pool:p"] }
                """,
            null);
    HttpAuthConfig auth = loaded.http().auth();
    String printed = EffectiveConfig.toml(loaded);
    assertTrue(
        printed.contains("[http.auth]\nissuer = \"https://auth.example.com/realms/tools\""),
        printed);
    assertTrue(printed.contains("# client secret: set (never shown)"), printed);
    assertTrue(printed.contains("[http.auth.tool_scopes]\nreport = [\"reports:read\"]"), printed);
    assertFalse(printed.contains("s3cr3t"), printed);
    assertEquals(URI.create("https://auth.example.com/realms/tools"), auth.issuer());
    assertEquals("api://tandem", auth.audience());
    assertEquals("s3cr3t-value", auth.clientSecret());
    assertEquals(List.of("mcp:tools"), auth.scopes());
    assertEquals(Map.of("report", List.of("reports:read")), auth.toolScopes());
    assertEquals(Map.of("p", List.of("pool:p")), auth.poolScopes());
    assertEquals(List.of(auth.issuer()), auth.authorizationServersOrIssuer());
    assertFalse(auth.toString().contains("s3cr3t"), auth.toString());

    Files.setPosixFilePermissions(secret, PosixFilePermissions.fromString("rw-r--r--"));
    String m =
        refusal(
            """
            [http.auth]
            issuer = "https://auth.example.com"
            client_id = "tandem"
            client_secret_file = "client-secret"
            """,
            null);
    assertTrue(m.contains("readable by other users; chmod 600"), m);
  }

  @Test
  void staticTokenAndOAuthTogetherAreRefused() {
    String m = refusal("[http.auth]\nissuer = \"https://auth.example.com\"\n", "env-token");
    assertTrue(m.contains("[http.auth] are both set; use one"), m);
  }

  @Test
  void mistakesNameTheKey() {
    assertTrue(refusal("[http.auth]\nscopes = [\"a\"]\n", null).contains("issuer is missing"));
    assertTrue(
        refusal("[http.auth]\nissuer = \"auth.example.com\"\n", null)
            .contains("[http.auth]: issuer must be an http(s) URL"));
    String typo = refusal("[http.auth]\nissuer = \"https://a.example\"\njwks_url = \"x\"\n", null);
    assertTrue(typo.contains("did you mean \"jwks_uri\""), typo);
    assertTrue(
        refusal(
                "[http.auth]\nissuer = \"https://a.example\"\nintrospection_endpoint = \"https://a.example/i\"\n",
                null)
            .contains("needs client_id"));
    assertTrue(
        refusal(
                "[http.auth]\nissuer = \"https://a.example\"\nclient_id = \"c\"\nclient_secret_env = \"NO_SUCH_VARIABLE_HERE_42\"\n",
                null)
            .contains("NO_SUCH_VARIABLE_HERE_42 is not set"));
  }
}
