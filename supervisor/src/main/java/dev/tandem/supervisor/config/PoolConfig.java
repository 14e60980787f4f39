package dev.tandem.supervisor.config;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * One {@code [[pool]]} table: either Python {@code modules} served by the tandem runtime, or the
 * {@code command} of any stdio MCP server. Paths are already resolved against the config file.
 */
public record PoolConfig(
    String name,
    List<String> modules,
    List<Path> path,
    List<String> command,
    int replicas,
    Map<String, String> env,
    Path workingDirectory) {

  public boolean isPython() {
    return command.isEmpty();
  }
}
