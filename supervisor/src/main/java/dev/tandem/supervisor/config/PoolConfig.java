package dev.tandem.supervisor.config;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * One {@code [[pool]]} table: either Python {@code modules} served by the tandem runtime, or the
 * {@code command} of any stdio MCP server. Paths are already resolved against the config file;
 * {@link Supervision} holds how its workers are supervised.
 *
 * @param env variables set for its workers, whatever the daemon's environment holds
 * @param passEnv names (or {@code PREFIX*}, {@code *SUFFIX}) of the daemon's variables its workers
 *     inherit besides the defaults ({@code pool.WorkerEnvironment})
 */
public record PoolConfig(
    String name,
    List<String> modules,
    List<Path> path,
    List<String> command,
    int replicas,
    Map<String, String> env,
    Path workingDirectory,
    Supervision supervision,
    List<String> passEnv) {

  public PoolConfig(
      String name,
      List<String> modules,
      List<Path> path,
      List<String> command,
      int replicas,
      Map<String, String> env,
      Path workingDirectory,
      Supervision supervision) {
    this(name, modules, path, command, replicas, env, workingDirectory, supervision, List.of());
  }

  /** A pool supervised with the defaults. */
  public PoolConfig(
      String name,
      List<String> modules,
      List<Path> path,
      List<String> command,
      int replicas,
      Map<String, String> env,
      Path workingDirectory) {
    this(name, modules, path, command, replicas, env, workingDirectory, Supervision.defaults());
  }

  public boolean isPython() {
    return command.isEmpty();
  }
}
