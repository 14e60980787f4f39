package dev.tandem.supervisor.tasks;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Map;

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

  /**
   * Parks a question of a running task under {@code key} ({@code request}: its method and params),
   * so that every replica shows it in {@code tasks/get} and may take its answer. Called by the
   * task's runner; a question is forgotten when it is answered and taken, when the task ends, or
   * when another runner claims the task (whose re-run asks again).
   */
  void ask(String id, String key, ObjectNode request);

  /** The task's questions not answered yet, by key: {@code {key: {method, params}}}. */
  ObjectNode questions(String id);

  /**
   * Keeps answers to open questions until the runner takes them; atomic, so two replicas never both
   * answer one question. Returns the keys not kept, each with why: {@link #NOT_ASKED} (no such
   * question, or none left: the task ended or was taken over) or {@link #ANSWERED}.
   */
  Map<String, String> answer(String id, ObjectNode responses);

  /** Why an answer was not kept: the task has no open question by that key. */
  String NOT_ASKED = "not asked";

  /** Why an answer was not kept: its question was answered already. */
  String ANSWERED = "answered already";

  /**
   * The runner takes the answers kept for the task, once: their questions are forgotten, and a
   * later answer by the same key is refused as {@link #ANSWERED}.
   */
  ObjectNode takeAnswers(String id);

  /** All tasks held (for status and metrics): count by status. */
  Map<String, Integer> countByStatus();

  @Override
  void close();
}
