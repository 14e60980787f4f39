package dev.tandem.supervisor.config;

/**
 * {@code [tasks]}: long calls run as MCP tasks. {@code ttlMs}: how long a task's outcome is kept
 * after it ends; {@code pollIntervalMs}: how often a host is told to poll; {@code maxTasks}: how
 * many the store holds before it refuses new ones.
 */
public record TasksConfig(long ttlMs, long pollIntervalMs, int maxTasks) {

  /** An hour to fetch a result; a second between polls; ten thousand tasks of a few KB each. */
  public static TasksConfig defaults() {
    return new TasksConfig(3_600_000, 1_000, 10_000);
  }
}
