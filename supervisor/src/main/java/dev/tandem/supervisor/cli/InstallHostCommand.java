package dev.tandem.supervisor.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.protocol.Json;
import dev.tandem.supervisor.config.ConfigException;
import dev.tandem.supervisor.config.PoolConfig;
import dev.tandem.supervisor.config.TandemConfig;
import dev.tandem.supervisor.log.Log;
import dev.tandem.supervisor.pool.PythonRuntime;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code tandem install-host HOST}: puts tandem into an agent host's MCP configuration, as a stdio
 * server started by this installation's {@code bin/tandem}, or with {@code --http} as the URL of a
 * running {@code serve --http} with the bearer token it requires ({@link HttpToken}). The config
 * file is checked first ({@code tandem check} would start it); the host's file keeps everything it
 * had.
 */
@Command(
    name = "install-host",
    mixinStandardHelpOptions = true,
    versionProvider = Main.Version.class,
    description = {
      "Add tandem to an agent host's MCP servers.",
      "claude-desktop and cursor get their config file updated (a backup of the old one is kept"
          + " beside it); claude-code gets the 'claude mcp add' command printed, or with --write a"
          + " .mcp.json in the current directory. With --http, the entry is the URL of 'tandem serve"
          + " --http' and its bearer token (claude-code and cursor)."
    })
final class InstallHostCommand implements Callable<Integer> {

  enum Host {
    CLAUDE_CODE("claude-code"),
    CLAUDE_DESKTOP("claude-desktop"),
    CURSOR("cursor");

    final String label;

    Host(String label) {
      this.label = label;
    }

    static Host of(String s) {
      for (Host h : values()) if (h.label.equals(s)) return h;
      throw new Main.UsageException(
          "unknown host \"" + s + "\"; use claude-code, claude-desktop or cursor");
    }
  }

  private static final Pattern SAFE = Pattern.compile("[A-Za-z0-9_./=:,@+-]+");

  @Parameters(
      index = "0",
      paramLabel = "HOST",
      description = "claude-code, claude-desktop or cursor")
  String host;

  @Mixin ConfigOptions config;

  @Option(
      names = "--name",
      paramLabel = "NAME",
      defaultValue = "tandem",
      description = "the server's name in the host (default: ${DEFAULT-VALUE})")
  String name;

  @Option(
      names = "--print",
      description = "print the resulting file (or command) and change nothing")
  boolean print;

  @Option(
      names = "--write",
      description =
          "claude-code: write .mcp.json in the current directory instead of printing the command")
  boolean write;

  @Option(
      names = "--file",
      paramLabel = "FILE",
      description = "the host's config file, if not at its usual place")
  Path file;

  @Option(
      names = "--project",
      description =
          "cursor: write .cursor/mcp.json in the current directory, not your global ~/.cursor/mcp.json")
  boolean project;

  @Option(
      names = "--http",
      arity = "0..1",
      fallbackValue = "",
      paramLabel = "URL",
      description =
          "install the running daemon's Streamable HTTP URL (default: the runtime file's, else [http] listen) with its token")
  String http;

  @Override
  public Integer call() throws IOException {
    Log.setThreshold(Log.Level.ERROR);
    Host target = Host.of(host);
    PrintStream out = Main.stdout;
    Path home = Main.home();
    Map<String, String> env = System.getenv();

    List<String> args = new ArrayList<>(List.of("serve"));
    Path configFile = null;
    if (config.config != null || env.get(ConfigOptions.CONFIG_ENV) != null) {
      configFile = config.file(home).toAbsolutePath().normalize();
      args.addAll(List.of("--config", configFile.toString()));
    }
    for (String s : config.set) {
      if (s.startsWith("http.token=") && http == null) {
        // A host entry is a file people paste into issues; and a stdio server has no HTTP token.
        throw new Main.UsageException(
            "--set http.token would write the token into the host's config; "
                + "the host starts tandem on stdio, which needs none (serve --http reads TANDEM_HTTP_TOKEN or [http] token)");
      }
      args.addAll(List.of("--set", s));
    }
    TandemConfig loaded;
    try {
      loaded = config.load(home);
    } catch (ConfigException e) {
      System.err.println(
          "tandem install-host: "
              + e.getMessage()
              + "\n(the host would start tandem with this configuration; fix it first, then run install-host again)");
      return 1;
    }
    if (http != null) return installHttp(target, loaded, env, out);
    String command = home.resolve("bin/tandem").toString();
    ObjectNode entry = Json.object();
    if (target == Host.CLAUDE_CODE) entry.put("type", "stdio");
    entry.put("command", command);
    args.forEach(entry.putArray("args")::add);
    // Hosts start servers with a bare environment (on macOS, a PATH without Homebrew's or pyenv's
    // python3), so the interpreter found here is written into the entry; unless the file names
    // one itself, which the variable would then silently override after every later edit.
    boolean fileNamesPython =
        loaded.server().python() != null
            && loaded.overridden().stream().noneMatch(o -> o.key().equals("python"));
    String python = null;
    if (loaded.pools().stream().anyMatch(PoolConfig::isPython) && !fileNamesPython) {
      python = PythonRuntime.locate(loaded.server().python()).executable().toString();
      entry.putObject("env").put("TANDEM_PYTHON", python);
    }

    if (target == Host.CLAUDE_CODE && !write) {
      StringBuilder cmd = new StringBuilder("claude mcp add ").append(quote(name));
      if (python != null) cmd.append(" -e ").append(quote("TANDEM_PYTHON=" + python));
      cmd.append(" -- ").append(quote(command));
      for (String a : args) cmd.append(' ').append(quote(a));
      out.println(cmd);
      if (!print) {
        System.err.println(
            "(run the command above in your project; or 'tandem install-host claude-code --write' writes .mcp.json here)");
      }
      return 0;
    }
    return installEntry(target, entry, env, out, false);
  }

  /**
   * {@code --http}: the host connects to a daemon the user runs ({@code serve --http}, a systemd
   * unit), with the token it requires in an {@code Authorization} header. Claude Desktop's file
   * holds stdio servers only.
   */
  private int installHttp(
      Host target, TandemConfig loaded, Map<String, String> env, PrintStream out)
      throws IOException {
    if (target == Host.CLAUDE_DESKTOP) {
      throw new Main.UsageException(
          "Claude Desktop's config file starts stdio servers only; add the URL under its "
              + "Settings > Connectors, or run install-host claude-desktop without --http");
    }
    String url = http.isEmpty() ? daemonUrl(loaded, env) : http;
    String token =
        loaded.http().open()
            ? null
            : loaded.http().token() != null
                ? loaded.http().token()
                : HttpToken.loadOrCreate(
                    HttpToken.location(env)); // the one serve --http generates, made now if not yet
    ObjectNode entry = Json.object();
    if (target == Host.CLAUDE_CODE) entry.put("type", "http");
    entry.put("url", url);
    if (token != null) entry.putObject("headers").put("Authorization", "Bearer " + token);
    if (target == Host.CLAUDE_CODE && !write) {
      StringBuilder cmd =
          new StringBuilder("claude mcp add --transport http ")
              .append(quote(name))
              .append(' ')
              .append(quote(url));
      if (token != null) cmd.append(" --header ").append(quote("Authorization: Bearer " + token));
      out.println(cmd);
      if (!print) {
        System.err.println(
            "(run the command above; it keeps the token in your private Claude Code settings. "
                + "'--write' puts it into .mcp.json here instead: do not commit that file)");
      }
      return 0;
    }
    return installEntry(target, entry, env, out, token != null);
  }

  /** The URL of the daemon the runtime file names, else the one [http] listen would serve. */
  private static String daemonUrl(TandemConfig loaded, Map<String, String> env) {
    DaemonAddress running = DaemonAddress.find(env);
    if (running != null) return running.url();
    String host = loaded.http().host();
    if (loaded.http().port() == 0) {
      throw new Main.UsageException(
          "[http] listen has port 0 (a free one at each start); pass the URL: --http http://HOST:PORT/mcp");
    }
    return "http://"
        + (host.contains(":") ? "[" + host + "]" : host)
        + ":"
        + loaded.http().port()
        + "/mcp";
  }

  private int installEntry(
      Host target, ObjectNode entry, Map<String, String> env, PrintStream out, boolean holdsToken)
      throws IOException {
    Path hostFile = file != null ? file : defaultFile(target, env, project);
    if (print) {
      String existing = Files.exists(hostFile) ? Files.readString(hostFile) : null;
      out.print(HostConfigFile.merged(hostFile, existing, name, entry));
      // stdout is the file alone, so it can be piped; where it would go is said beside it.
      System.err.println(
          "(this is what install-host would write to "
              + hostFile
              + (existing == null ? ", a new file" : "")
              + "; nothing was changed)");
      return 0;
    }
    HostConfigFile.Outcome done = HostConfigFile.install(hostFile, name, entry);
    if (holdsToken) {
      // The token keeps other local users out only while they cannot read it.
      var ownerOnly = java.nio.file.attribute.PosixFilePermissions.fromString("rw-------");
      Files.setPosixFilePermissions(hostFile, ownerOnly);
      if (done.backup() != null) Files.setPosixFilePermissions(done.backup(), ownerOnly);
    }
    if (!done.changed()) {
      out.println(hostFile + ": already has this \"" + name + "\" entry; nothing changed");
    } else {
      out.println(
          hostFile
              + ": "
              + (done.backup() == null ? "created with" : "updated with")
              + " the \""
              + name
              + "\" server"
              + (done.backup() == null ? "" : "; the previous file is saved as " + done.backup()));
      out.println(restartHint(target));
    }
    return 0;
  }

  /**
   * Where each host reads its servers; {@code project}: Cursor's per-project file in the current
   * directory.
   */
  static Path defaultFile(Host host, Map<String, String> env, boolean project) {
    Path home = HostConfigFile.home(env);
    if (project && host != Host.CURSOR) {
      throw new Main.UsageException(
          "--project is for cursor (claude-code: --write writes .mcp.json in the current directory)");
    }
    return switch (host) {
      case CLAUDE_CODE -> Path.of("").toAbsolutePath().resolve(".mcp.json");
      case CURSOR ->
          project
              ? Path.of("").toAbsolutePath().resolve(".cursor/mcp.json")
              : home.resolve(".cursor/mcp.json");
      case CLAUDE_DESKTOP -> {
        if (System.getProperty("os.name", "").toLowerCase(Locale.ROOT).contains("mac")) {
          yield home.resolve("Library/Application Support/Claude/claude_desktop_config.json");
        }
        String xdg = env.get("XDG_CONFIG_HOME");
        Path config = xdg != null && !xdg.isBlank() ? Path.of(xdg) : home.resolve(".config");
        yield config.resolve("Claude/claude_desktop_config.json");
      }
    };
  }

  private static String restartHint(Host host) {
    return switch (host) {
      case CLAUDE_DESKTOP ->
          "restart Claude Desktop to start it; its log is mcp-server-tandem.log in Claude's log folder";
      case CURSOR ->
          "Cursor picks it up under Settings > MCP (toggle it there if it does not start)";
      case CLAUDE_CODE ->
          "Claude Code asks to approve project servers from .mcp.json the next time it starts here";
    };
  }

  /** POSIX shell quoting, only where needed, so the printed command pastes as it is. */
  static String quote(String s) {
    if (SAFE.matcher(s).matches()) return s;
    return "'" + s.replace("'", "'\\''") + "'";
  }
}
