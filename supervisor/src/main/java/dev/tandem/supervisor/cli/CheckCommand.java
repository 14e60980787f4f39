package dev.tandem.supervisor.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tandem.supervisor.config.ConfigException;
import dev.tandem.supervisor.config.EffectiveConfig;
import dev.tandem.supervisor.config.PoolConfig;
import dev.tandem.supervisor.config.TandemConfig;
import dev.tandem.supervisor.log.Log;
import dev.tandem.supervisor.router.Listing;
import dev.tandem.supervisor.session.StateKeys;
import dev.tandem.supervisor.transport.http.auth.IssuerCheck;
import dev.tandem.supervisor.transport.http.auth.TokenRefused;
import java.io.PrintStream;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code tandem check}: everything {@code serve} would find wrong, found before a host is pointed
 * at it. The file is read with the same loader, then every pool is started on the real worker
 * runtime (one worker each) so imports, tool schemas and name clashes fail here, with the same
 * messages, and what would be served is listed.
 */
@Command(
    name = "check",
    mixinStandardHelpOptions = true,
    versionProvider = Main.Version.class,
    description = {
      "Validate a configuration and list the tools, prompts and resources it would serve.",
      "Reads the file, then starts each pool's workers briefly, so imports fail here as they would"
          + " when serving. Exit 0 if it would serve, 1 if not."
    })
final class CheckCommand implements Callable<Integer> {

  @Mixin ConfigOptions config;
  @Mixin LogOptions log;

  @Option(
      names = "--print",
      description =
          "print the effective configuration (after TANDEM_* variables and --set flags) as TOML; the HTTP token is never shown")
  boolean print;

  @Option(names = "--no-start", description = "only read the file; do not start any worker")
  boolean noStart;

  @Override
  public Integer call() {
    log.apply(Log.Level.ERROR);
    PrintStream out = Main.stdout;
    PrintStream err = System.err;
    TandemConfig loaded;
    try {
      loaded = config.load(Main.home());
    } catch (ConfigException e) {
      err.println("tandem check: " + e.getMessage());
      return 1;
    }
    if (print) out.print(EffectiveConfig.toml(loaded));
    StateKeys keys;
    try {
      keys = StateKeys.load(loaded.http().stateKeyFile(), System.getenv());
    } catch (ConfigException e) {
      err.println("tandem check: " + e.getMessage());
      return 1;
    }
    if (noStart) {
      if (!print) out.println(loaded.source() + ": ok (read only; workers not started)");
      out.println(keys.describe());
      return 0;
    }
    if (loaded.http().auth() != null) {
      try {
        out.println(IssuerCheck.run(loaded.http().auth()));
      } catch (TokenRefused e) {
        err.println("tandem check: " + loaded.source() + ": [http.auth]: " + e.getMessage());
        return 1;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return 1;
      }
    }
    try (TrialRun run = TrialRun.start(loaded)) {
      if (print) out.println();
      out.println(
          loaded.source()
              + ": ok; "
              + count(run.catalog.tools.size(), "tool")
              + ", "
              + count(run.catalog.prompts.size(), "prompt")
              + ", "
              + count(run.catalog.resources.size() + run.catalog.templates.size(), "resource")
              + " in "
              + count(loaded.pools().size(), "pool"));
      out.println(keys.describe());
      for (PoolConfig pool : loaded.pools()) {
        out.println(
            "pool \""
                + pool.name()
                + "\" ("
                + (pool.isPython()
                    ? "python modules " + String.join(", ", pool.modules())
                    : "command " + String.join(" ", pool.command()))
                + "; "
                + count(pool.replicas(), "replica")
                + ")");
        list(out, "tools", run.catalog.tools, pool.name());
        list(out, "prompts", run.catalog.prompts, pool.name());
        list(out, "resources", run.catalog.resources, pool.name());
        list(out, "resource templates", run.catalog.templates, pool.name());
      }
      return 0;
    } catch (TrialRun.Failed e) {
      err.println("tandem check: " + e.describe());
      return 1;
    } catch (ConfigException e) {
      err.println("tandem check: " + e.getMessage());
      return 1;
    }
  }

  private static void list(PrintStream out, String what, Listing listing, String pool) {
    List<Listing.Entry> mine =
        listing.entries().stream().filter(e -> e.pool().name().equals(pool)).toList();
    if (mine.isEmpty()) return;
    out.println("  " + what + ":");
    int width = mine.stream().mapToInt(e -> e.key().length()).max().orElse(0);
    for (Listing.Entry e : mine) {
      JsonNode description = e.item().get("description");
      String first =
          description == null ? "" : description.asText().strip().lines().findFirst().orElse("");
      out.println(
          ("    " + e.key() + " ".repeat(width - e.key().length()) + "  " + first).stripTrailing());
    }
  }

  private static String count(int n, String noun) {
    return n + " " + noun + (n == 1 ? "" : "s");
  }
}
