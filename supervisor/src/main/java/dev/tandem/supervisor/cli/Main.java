package dev.tandem.supervisor.cli;

import dev.tandem.supervisor.config.ConfigException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code tandem <command> [options]}: the front door of the daemon. picocli parses the command
 * line, so every subcommand gets {@code --help}, typo suggestions and one error format for free.
 */
@Command(
    name = "tandem",
    mixinStandardHelpOptions = true,
    versionProvider = Main.Version.class,
    subcommands = {
      ServeCommand.class,
      CheckCommand.class,
      CallCommand.class,
      StatusCommand.class,
      InstallHostCommand.class,
      CommandLine.HelpCommand.class
    },
    synopsisSubcommandLabel = "COMMAND",
    description = {
      "Serves MCP tools whose logic is Python, in supervised worker processes.",
      "",
      "Configuration comes from tandem.toml (--config, or $TANDEM_CONFIG; without one, the bundled"
          + " examples), then TANDEM_* variables, then --set flags: TANDEM_KEY for [server] KEY,"
          + " TANDEM_HTTP_KEY for [http] KEY, TANDEM_POOL_<NAME>_KEY for a pool's KEY.",
      ""
    },
    footer = {"", "Run 'tandem COMMAND --help' for a command's options."})
public final class Main implements Runnable {

  static final String VERSION = versionOf();

  /**
   * The process's real stdout. {@code serve} speaks MCP on it; every other command prints its
   * answer there. System.out itself points at stderr, so a stray println (ours or a library's) can
   * never corrupt the wire.
   */
  static PrintStream stdout = System.out;

  @Spec CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(
        spec.commandLine(), "a command is needed: serve, check, call, status or install-host");
  }

  public static void main(String[] args) {
    stdout = System.out;
    System.setOut(System.err);
    System.exit(execute(args));
  }

  static int execute(String... args) {
    // The fast path: a host starts `tandem serve ...` every time it starts, and picocli's
    // reflective model of five commands costs ~300 ms there (measured; see README). Well-formed
    // serve and --version lines are parsed by hand; anything else (help, a typo, a bad value)
    // goes to picocli, so its messages stay the only ones a person sees.
    if (args.length == 1 && (args[0].equals("--version") || args[0].equals("-V"))) {
      for (String line : new Version().getVersion()) stdout.println(line);
      stdout.flush();
      return 0;
    }
    ServeCommand serve = ServeCommand.parseFast(args);
    if (serve != null) {
      try {
        return serve.call();
      } catch (ConfigException | UsageException e) {
        System.err.println("tandem serve: " + e.getMessage());
        return 2;
      }
    }
    CommandLine cli = new CommandLine(new Main());
    cli.setOut(new PrintWriter(stdout, true, StandardCharsets.UTF_8));
    cli.setErr(new PrintWriter(System.err, true, StandardCharsets.UTF_8));
    cli.setParameterExceptionHandler(Main::usageError);
    cli.setExecutionExceptionHandler(
        (e, commandLine, parsed) -> {
          if (e instanceof ConfigException || e instanceof UsageException) {
            commandLine.getErr().println(prefix(commandLine) + e.getMessage());
            return 2;
          }
          throw e;
        });
    return cli.execute(args);
  }

  /** One line that says what was wrong and where help is, instead of the whole usage text. */
  private static int usageError(CommandLine.ParameterException e, String[] args) {
    CommandLine cmd = e.getCommandLine();
    PrintWriter err = cmd.getErr();
    err.println(prefix(cmd) + e.getMessage());
    CommandLine.UnmatchedArgumentException.printSuggestions(e, err);
    err.println("see '" + cmd.getCommandSpec().qualifiedName() + " --help'");
    return 2;
  }

  private static String prefix(CommandLine cmd) {
    return cmd.getCommandSpec().qualifiedName() + ": ";
  }

  /** Where tandem is installed: the launcher says so; examples/ and reasoning-python/ are there. */
  static Path home() {
    String home = System.getProperty("tandem.home");
    if (home == null) home = System.getenv("TANDEM_HOME");
    if (home == null)
      throw new UsageException("tandem.home is not set; start tandem with bin/tandem");
    return Path.of(home).toAbsolutePath().normalize();
  }

  private static String versionOf() {
    String v = Main.class.getPackage().getImplementationVersion();
    return v == null ? "0.1.0-dev" : v;
  }

  /** {@code --version}: tandem's version, then the runtime it runs on (bundled or found). */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      return new String[] {
        "tandem " + VERSION,
        "java " + System.getProperty("java.version") + " (" + System.getProperty("java.home") + ")"
      };
    }
  }

  static final class UsageException extends RuntimeException {
    UsageException(String message) {
      super(message);
    }
  }
}
