package dev.tandem.supervisor.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.protocol.Json;
import dev.tandem.supervisor.admin.MetricsRegistry;
import dev.tandem.supervisor.config.TandemConfig;
import dev.tandem.supervisor.config.TasksConfig;
import dev.tandem.supervisor.router.Router;
import dev.tandem.supervisor.tasks.TaskEngine;
import dev.tandem.supervisor.tasks.TaskStores;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The daemon's one task engine, wired to its config, its shutdown, {@code tandem status} and {@code
 * /metrics}: made on first need, when running tasks a previous daemon left resume.
 */
final class DaemonTasks {

  private final Router router;
  private final TandemConfig config;
  private final Shutdown shutdown;
  private volatile TaskEngine tasks;

  DaemonTasks(Router router, TandemConfig config, Shutdown shutdown) {
    this.router = router;
    this.config = config;
    this.shutdown = shutdown;
  }

  /** The task engine and its store, opened once; running tasks a previous daemon left resume. */
  TaskEngine engine() {
    if (tasks != null) return tasks;
    TasksConfig t = config.tasks();
    TaskEngine.Settings settings =
        new TaskEngine.Settings(t.ttlMs(), t.pollIntervalMs(), t.maxTasks(), t.leaseMs());
    Map<String, String> env = System.getenv();
    tasks =
        new TaskEngine(
            router,
            () -> TaskStores.open(env, config.source(), t.store(), settings.maxTasks()),
            () -> TaskStores.exists(env, config.source(), t.store()),
            settings,
            System::currentTimeMillis);
    shutdown.keepsTasks(tasks);
    // Off the start path: looking for a store a previous daemon left hashes the config's path
    // (SHA-256 loads the security providers) and may open it; the first session's initialize does
    // not wait for that. A task request meanwhile opens the store itself, and takes over the same.
    Thread resume = new Thread(tasks::start, "tandem-tasks-resume");
    resume.setDaemon(true);
    resume.start();
    for (String status :
        new String[] {"working", "input_required", "completed", "failed", "cancelled"}) {
      // tasksWorking, tasksInputRequired...: the status document's keys, which tandem status shows.
      router.reportInStatus(
          StatusCommand.taskCountKey(status), () -> tasks.countByStatus().getOrDefault(status, 0));
    }
    return tasks;
  }

  /** The {@code tandem_tasks} gauge; reads the engine made by then (the HTTP server's). */
  /** The admin {@code /tasks} page: the latest 100 tasks as operators may see them. */
  JsonNode adminPage() {
    ObjectNode page = Json.object();
    ArrayNode list = page.putArray("tasks");
    engine().recent(100).forEach(t -> list.add(t.adminView()));
    return page;
  }

  void registerMetrics(MetricsRegistry metrics) {
    metrics.gauge(
        "tandem_tasks",
        "Tasks held by the daemon's task store, by status.",
        List.of("status"),
        () -> {
          Map<List<String>, Integer> byStatus = new HashMap<>();
          tasks.countByStatus().forEach((status, n) -> byStatus.put(List.of(status), n));
          return byStatus;
        });
  }
}
