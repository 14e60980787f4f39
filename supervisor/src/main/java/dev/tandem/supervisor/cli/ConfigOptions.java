package dev.tandem.supervisor.cli;

import dev.tandem.supervisor.config.ConfigLoader;
import dev.tandem.supervisor.config.Overrides;
import dev.tandem.supervisor.config.TandemConfig;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/**
 * Which configuration a command serves, the same way for serve, check and call: the file, then
 * {@code TANDEM_*} variables, then {@code --set} flags (see {@link Overrides} for the mapping).
 */
final class ConfigOptions {

  static final String CONFIG_ENV = "TANDEM_CONFIG";

  @Option(
      names = {"-c", "--config"},
      paramLabel = "FILE",
      description = "tandem.toml to serve (default: $TANDEM_CONFIG, else the bundled examples)")
  Path config;

  @Option(
      names = "--set",
      paramLabel = "SETTING=VALUE",
      // picocli may break a line after any '.', so where the dotted names fall is chosen (and
      // HelpAt80ColumnsTest checks it): no example such as pool.examples.replicas=4 fits here.
      description =
          "override one setting of the file, after TANDEM_* variables; repeatable."
              + " SETTING is server.KEY, http.KEY, tasks.KEY or pool.NAME.KEY")
  List<String> set = new ArrayList<>();

  /** The file to read: --config, else $TANDEM_CONFIG, else the bundled examples. */
  Path file(Path home) {
    if (config != null) return config;
    String env = System.getenv(CONFIG_ENV);
    if (env != null && !env.isBlank()) return Path.of(env);
    return home.resolve("examples/tandem.toml");
  }

  Overrides overrides() {
    Overrides o = Overrides.fromEnvironment();
    for (String assignment : set) {
      try {
        o = o.with(assignment);
      } catch (IllegalArgumentException e) {
        throw new Main.UsageException(e.getMessage());
      }
    }
    return o;
  }

  TandemConfig load(Path home) {
    return new ConfigLoader(home, overrides()).load(file(home));
  }
}
