package dev.tandem.it;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The tools and the {@code [http.auth]} config {@link OAuthResourceServerTest} serves: a tool that
 * shows {@code ctx.principal}, one that asks the host (input_required in 2026-07-28), one behind a
 * tool scope, a pool behind a pool scope, and a tool that may run as a task.
 */
final class OAuthFixture {

  private static final String TOOLS =
      """
      from tandem import Context, tool

      @tool
      def whoami(ctx: Context | None = None) -> str:
          \"\"\"Who the daemon says is calling.\"\"\"
          p = ctx.principal if ctx else None
          if p is None:
              return "nobody"
          return p.subject + "|" + " ".join(sorted(p.scopes)) + "|" + str(p.client_id)

      @tool
      async def ask_name(ctx: Context) -> str:
          \"\"\"Asks the host for a name: a 2026-07-28 host gets input_required.\"\"\"
          answer = await ctx.elicit("name?", {"type": "object", "properties": {"name": {"type": "string"}}})
          return str(answer)

      @tool
      def report() -> str:
          \"\"\"Needs reports:read.\"\"\"
          return "the report"

      @tool(task="optional")
      def brew(label: str) -> str:
          \"\"\"Runs as a task when the host asks: its task is its principal's alone.\"\"\"
          return "brewed " + label
      """;

  private OAuthFixture() {}

  /** Writes the modules and the config into {@code dir}; returns the config. */
  static Path write(Path dir, String issuer) throws IOException {
    Files.writeString(dir.resolve("oauth_tools.py"), TOOLS);
    Files.writeString(
        dir.resolve("vault_tools.py"),
        """
        from tandem import tool

        @tool
        def open_vault() -> str:
            \"\"\"Needs vault:open, the scope of its whole pool.\"\"\"
            return "opened"
        """);
    return Tandem.config(
        dir,
        """
            [http.auth]
            issuer = "%s"
            client_id = "%s"
            client_secret_env = "IT_INTROSPECTION_SECRET"
            scopes = ["mcp:tools"]

            [http.auth.tool_scopes]
            report = ["reports:read"]

            [http.auth.pool_scopes]
            vault = ["vault:open"]

            [[pool]]
            name = "who"
            modules = ["oauth_tools"]
            path = "%s"
            replicas = 1

            [[pool]]
            name = "vault"
            modules = ["vault_tools"]
            path = "%s"
            replicas = 1
            """
            .formatted(issuer, AuthorizationServer.INTROSPECTION_CLIENT_ID, dir, dir));
  }
}
