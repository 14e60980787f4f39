package dev.tandem.supervisor.config;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tandem.supervisor.log.Secrets;
import java.net.URI;
import java.util.Set;

/**
 * Reads the {@code [tasks]} table: how long task outcomes are kept, how many tasks, where (the
 * embedded store or a Redis), and the runners' lease.
 */
final class TasksTable {

  static final Set<String> KEYS =
      Set.of("ttl_ms", "poll_interval_ms", "max_tasks", "store", "lease_ms");

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
    String store = null;
    if (node.has("store")) {
      store = f.string(where, "store", node.get("store"));
      if (store.equals("embedded")) {
        store = null;
      } else {
        checkRedis(f, where, store);
      }
    }
    int lease = f.intIn(where, node, "lease_ms", (int) d.leaseMs(), 100, 3_600_000);
    return new TasksConfig(ttl, poll, max, store, lease);
  }

  /** A Redis URL; its password, if it has one, is kept out of every log line from now on. */
  private static void checkRedis(ConfigFields f, String where, String store) {
    String expected = "must be \"embedded\" or a Redis URL such as \"redis://127.0.0.1:6379/0\"";
    URI uri;
    try {
      uri = URI.create(store);
    } catch (IllegalArgumentException e) {
      throw f.invalid(where, "store", expected + "; it does not parse");
    }
    if (!"redis".equals(uri.getScheme()) && !"rediss".equals(uri.getScheme())) {
      throw f.invalid(where, "store", expected);
    }
    if (uri.getHost() == null) {
      throw f.invalid(where, "store", expected + "; it has no host");
    }
    String userInfo = uri.getUserInfo();
    if (userInfo != null) {
      Secrets.add("tasks.store password", userInfo.substring(userInfo.indexOf(':') + 1));
    }
  }
}
