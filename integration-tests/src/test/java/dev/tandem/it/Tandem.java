package dev.tandem.it;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Where the real tandem under test lives: the repository's own bin/tandem and examples. */
final class Tandem {

  static final Path HOME =
      Path.of(System.getProperty("tandem.home", "..")).toAbsolutePath().normalize();
  static final Path BIN = HOME.resolve("bin/tandem");
  static final Path EXAMPLES = HOME.resolve("examples/tandem.toml");
  static final Path NODE_DIR = HOME.resolve("integration-tests/node");

  private Tandem() {}

  /** Writes a config (and the modules it names) into a fresh directory. */
  static Path config(Path dir, String toml) throws IOException {
    Files.createDirectories(dir);
    Path file = dir.resolve("tandem.toml");
    Files.writeString(file, toml);
    return file;
  }

  /** A pool serving the bundled example tools, for configs written by tests. */
  static String examplesPool(String name, int replicas) {
    return """
        [[pool]]
        name = "%s"
        modules = ["basics"]
        path = "%s"
        replicas = %d
        """
        .formatted(name, HOME.resolve("examples/tools"), replicas);
  }
}
