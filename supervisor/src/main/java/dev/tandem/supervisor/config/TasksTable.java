package dev.tandem.supervisor.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Set;

/** Reads the {@code [tasks]} table: how long task outcomes are kept, and how many tasks. */
final class TasksTable {

  static final Set<String> KEYS = Set.of("ttl_ms", "poll_interval_ms", "max_tasks");

  /** A week, the longest a finished task's result is kept. */
  static final int MAX_TTL_MS = 7 * 24 * 3_600_000;

  private TasksTable() {}

  static TasksConfig read(ConfigFields f, JsonNode node) {
    TasksConfig d = TasksConfig.defaults();
    if (node.isMissingNode()) return d;
    String where = "[tasks]";
    f.requireTable(where, node);
    f.checkKeys(where, node, KEYS);
    int ttl = f.intIn(where, node, "ttl_ms", (int) d.ttlMs(), 1_000, MAX_TTL_MS);
    int poll = f.intIn(where, node, "poll_interval_ms", (int) d.pollIntervalMs(), 10, 60_000);
    int max = f.intIn(where, node, "max_tasks", d.maxTasks(), 1, 1_000_000);
    return new TasksConfig(ttl, poll, max);
  }
}
