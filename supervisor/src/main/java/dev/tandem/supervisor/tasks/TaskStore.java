package dev.tandem.supervisor.tasks;

import java.util.List;

/**
 * Where tasks are kept: narrow on purpose, so that another store (Redis, issue 15) needs only
 * these. Every write is durable when the method returns: a task a host was told about survives a
 * kill -9 of the daemon. Implementations are safe to call from any thread.
 */
public interface TaskStore extends AutoCloseable {

  /** Records a new task; false (and nothing written) when the store holds its maximum already. */
  boolean create(TaskRecord task);

  /** The task, or null when there is none by that id. */
  TaskRecord get(String id);

  /** Replaces the task's record (same id); ignored when it was purged meanwhile. */
  void put(TaskRecord task);

  List<TaskRecord> listByOwner(String owner);

  /**
   * Every task not ended whose runner is not {@code runner}, now claimed by it: what a daemon that
   * starts must re-run or fail, since the daemon that ran them is gone.
   */
  List<TaskRecord> claimUnfinished(String runner, long now);

  /** Forgets ended tasks past their ttl; returns how many. */
  int purgeExpired(long now);

  /** All tasks held (for status and metrics): count by status. */
  java.util.Map<String, Integer> countByStatus();

  @Override
  void close();
}
