package dev.tandem.supervisor.config;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * One {@code [[pool]]} table: either Python {@code modules} served by the tandem runtime, or the
 * {@code command} of any stdio MCP server. Paths are already resolved against the config file;
 * {@link Supervision} holds how its workers are supervised.
 */
public record PoolConfig(
    String name,
    List<String> modules,
    List<Path> path,
    List<String> command,
    int replicas,
    Map<String, String> env,
    Path workingDirectory,
    Supervision supervision) {

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
