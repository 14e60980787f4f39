package dev.tandem.supervisor.tasks;

import java.util.List;

/**
 * Where tasks are kept: narrow on purpose, so that a store shared by replicas (Redis) needs only
 * these. Every write is durable when the method returns: a task a host was told about survives a
 * kill -9 of the daemon. Implementations are safe to call from any thread.
 *
 * <p>Each task has a runner, the daemon running it, which holds a lease it renews by {@link
 * #heartbeat}. A task whose runner's lease has expired is taken over by exactly one other runner;
 * from then on the old runner's writes of that task are ignored, so it ends once.
 */
public interface TaskStore extends AutoCloseable {

  /** Records a new task; false (and nothing written) when the store holds its maximum already. */
  boolean create(TaskRecord task);

  /** The task, or null when there is none by that id. */
  TaskRecord get(String id);

  /**
   * Replaces the task's record (same id); ignored when it was purged meanwhile, or when its runner
   * is no longer {@code task.runner()} (another runner took it over since it was read).
   */
  void put(TaskRecord task);

  List<TaskRecord> listByOwner(String owner);

  /** Up to {@code limit} tasks of every owner, the most recently changed first (the admin view). */
  List<TaskRecord> recent(int limit);

  /**
   * Renews {@code runner}'s lease until {@code leaseMs} from now, and claims for it every task not
   * ended whose runner's lease has expired (or who never had one here): what it must now re-run or
   * fail, since the daemon that ran them is gone. Atomic: of runners calling at once, exactly one
   * claims each such task. Returned records carry the new runner.
   */
  List<TaskRecord> heartbeat(String runner, long now, long leaseMs);

  /** Forgets ended tasks past their ttl; returns how many. */
  int purgeExpired(long now);

  /** All tasks held (for status and metrics): count by status. */
  java.util.Map<String, Integer> countByStatus();

  @Override
  void close();
}
