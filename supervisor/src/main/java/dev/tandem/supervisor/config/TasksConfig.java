package dev.tandem.supervisor.config;

/**
 * {@code [tasks]}: long calls run as MCP tasks. {@code ttlMs}: how long a task's outcome is kept
 * after it ends; {@code pollIntervalMs}: how often a host is told to poll; {@code maxTasks}: how
 * many the store holds before it refuses new ones. {@code store}: null for the embedded store of
 * one machine, {@code redis://[:password@]host:port/db} for a Redis shared by replicas. {@code
 * leaseMs}: how long after a daemon's last heartbeat (every third of it) another takes its running
 * tasks over: the wait for a dead replica's tasks, against the pause a live one may have without
 * losing them.
 */
public record TasksConfig(
    long ttlMs, long pollIntervalMs, int maxTasks, String store, long leaseMs) {

  public static final long DEFAULT_LEASE_MS = 15_000;

  /** A store URL as a log or a printout may show it: without user or password. */
  public static String redacted(String url) {
    try {
      java.net.URI u = java.net.URI.create(url);
      String db = u.getPath() == null ? "" : u.getPath();
      return u.getScheme() + "://" + u.getHost() + (u.getPort() < 0 ? "" : ":" + u.getPort()) + db;
    } catch (IllegalArgumentException e) {
      return "(a URL that does not parse)";
    }
  }

  /** An hour to fetch a result; a second between polls; ten thousand tasks of a few KB each. */
  public static TasksConfig defaults() {
    return new TasksConfig(3_600_000, 1_000, 10_000, null, DEFAULT_LEASE_MS);
  }
}
