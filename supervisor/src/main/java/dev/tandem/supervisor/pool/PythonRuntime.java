package dev.tandem.supervisor.pool;

import dev.tandem.supervisor.config.ConfigException;
import dev.tandem.supervisor.process.Launcher;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeoutException;

/**
 * The Python interpreter workers run on, resolved once at start. A name on PATH is often a shim
 * (pyenv, asdf) that costs tens of milliseconds per start; asking it once for {@code
 * sys.executable} lets every worker, and every restart, exec the real binary directly.
 */
public record PythonRuntime(Path executable, int major, int minor) {

  public static final int MIN_MINOR = 11;

  /** A cold interpreter on a busy machine answers in seconds; one that has not in this is stuck. */
  private static final Duration PROBE_LIMIT = Duration.ofSeconds(30);

  /**
   * What to run when nothing is resolved yet: {@code [server] python}, else TANDEM_PYTHON, else
   * python3.
   */
  static String candidate(String configured) {
    return configured != null
        ? configured
        : System.getenv().getOrDefault("TANDEM_PYTHON", "python3");
  }

  /** The one message for an interpreter that cannot be started at all, and what to do. */
  static String cannotRun(String candidate, String why) {
    return "cannot run python \""
        + candidate
        + "\" ("
        + why
        + "); install Python 3."
        + MIN_MINOR
        + "+ or set [server] python / TANDEM_PYTHON to its path";
  }

  public static PythonRuntime locate(String configured) {
    String candidate = candidate(configured);
    String out;
    int status;
    try {
      Launcher.Answer answer =
          Launcher.run(
              List.of(
                  candidate,
                  "-c",
                  "import sys; print(sys.executable); print(sys.version_info[0], sys.version_info[1])"),
              PROBE_LIMIT);
      out = answer.output().trim();
      status = answer.exitValue();
    } catch (IOException e) {
      throw new ConfigException(cannotRun(candidate, e.getMessage()));
    } catch (TimeoutException e) {
      throw new ConfigException(
          "python \"" + candidate + "\" did not answer within " + PROBE_LIMIT.toSeconds() + " s");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ConfigException("interrupted while locating python");
    }
    List<String> lines = out.lines().toList();
    if (status != 0 || lines.size() < 2) {
      throw new ConfigException(
          "python \"" + candidate + "\" failed (status " + status + "): " + out);
    }
    String[] version = lines.get(lines.size() - 1).trim().split(" ");
    int major = Integer.parseInt(version[0]);
    int minor = Integer.parseInt(version[1]);
    if (major != 3 || minor < MIN_MINOR) {
      throw new ConfigException(
          "python \""
              + candidate
              + "\" is "
              + major
              + "."
              + minor
              + "; tandem workers need 3."
              + MIN_MINOR
              + " or newer: set [server] python / TANDEM_PYTHON to one");
    }
    return new PythonRuntime(Path.of(lines.get(lines.size() - 2).trim()), major, minor);
  }
}
