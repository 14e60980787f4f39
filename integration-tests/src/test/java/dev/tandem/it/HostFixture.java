package dev.tandem.it;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The daemon config the host tests (HostJavaSdk*, HostClaudeCode*, HostMcpRemote*) serve: the
 * whole-surface fixture (prompts, resources, a template, elicitation, progress, a tool that marks
 * its own cancellation) beside the bundled example tools (a structured result, an isError one).
 */
final class HostFixture {

  private HostFixture() {}

  /** Writes the config into a fresh temporary directory and returns its path. */
  static Path config() throws IOException {
    Path surface = SurfaceCheck.fixture().getParent();
    String toml =
        """
        [[pool]]
        name = "surface"
        modules = ["surface_tools", "surface_catalog"]
        path = "%s"
        replicas = 1
        """
                .formatted(surface)
            + Tandem.examplesPool("basics", 1);
    return Tandem.config(Files.createTempDirectory("tandem-hosts-"), toml);
  }

  /**
   * A fresh path for slow_steps' marker: the tool writes "cancelled" there when it is cancelled.
   */
  static Path marker() throws IOException {
    return Files.createTempDirectory("tandem-hosts-marker-").resolve("marker");
  }
}
