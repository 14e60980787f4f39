package dev.tandem.supervisor.tasks;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.supervisor.log.Log;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import org.h2.mvstore.MVMap;
import org.h2.mvstore.MVStore;

/**
 * The task store in one file (H2's MVStore): a map of task id to its record as JSON, committed on
 * every write so a record a host was told about is on disk before the answer leaves. The file and
 * its directory are private to the user (0600, 0700): task results are what tools returned.
 *
 * <p>Leases live in memory: the file is held by one process at a time (MVStore locks it), so the
 * only runners that can hold a live lease are this process's; any other runner named in the file is
 * a daemon that stopped, and its unfinished tasks are claimed at the first heartbeat.
 */
public final class MvTaskStore implements TaskStore {

  private final MVStore store;
  private final MVMap<String, String> tasks;
  private final int maxTasks;
  private final Map<String, Long> leases = new HashMap<>();
  private final QuestionBook questions = new QuestionBook();

  private MvTaskStore(MVStore store, int maxTasks) {
    this.store = store;
    this.tasks = store.openMap("tasks");
    this.maxTasks = maxTasks;
  }

  /** Opens (or creates) the store at {@code file}; fails if another daemon has it open. */
  public static MvTaskStore open(Path file, int maxTasks) {
    try {
      Path dir = file.toAbsolutePath().getParent();
      Files.createDirectories(dir);
      Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
      if (!Files.exists(file)) {
        Files.createFile(
            file,
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      }
      Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot prepare the task store " + file + ": " + e, e);
    }
    // Auto-commit off: each write commits itself, so none waits in memory for a timer.
    MVStore store = new MVStore.Builder().fileName(file.toString()).autoCommitDisabled().open();
    return new MvTaskStore(store, maxTasks);
  }

  /** A store that lives as long as the daemon (tests; or when the file cannot be had). */
  public static MvTaskStore inMemory(int maxTasks) {
    return new MvTaskStore(new MVStore.Builder().autoCommitDisabled().open(), maxTasks);
  }

  @Override
  public synchronized boolean create(TaskRecord task) {
    if (tasks.size() >= maxTasks) return false;
    tasks.put(task.id(), TaskRecord.encode(task));
    store.commit();
    return true;
  }

  @Override
  public synchronized TaskRecord get(String id) {
    String json = tasks.get(id);
    return json == null ? null : TaskRecord.decode(json);
  }

  @Override
  public synchronized void put(TaskRecord task) {
    String json = tasks.get(task.id());
    if (json == null || !Objects.equals(TaskRecord.decode(json).runner(), task.runner())) return;
    tasks.put(task.id(), TaskRecord.encode(task));
    store.commit();
    if (task.terminal()) questions.forget(task.id());
  }

  @Override
  public synchronized void ask(String id, String key, ObjectNode request) {
    String json = tasks.get(id);
    if (json != null && !TaskRecord.decode(json).terminal()) questions.ask(id, key, request);
  }

  @Override
  public synchronized ObjectNode questions(String id) {
    return questions.questions(id);
  }

  @Override
  public synchronized Map<String, String> answer(String id, ObjectNode responses) {
    return questions.answer(id, responses);
  }

  @Override
  public synchronized ObjectNode takeAnswers(String id) {
    return questions.takeAnswers(id);
  }

  @Override
  public synchronized List<TaskRecord> listByOwner(String owner) {
    List<TaskRecord> out = new ArrayList<>();
    for (String json : tasks.values()) {
      TaskRecord t = TaskRecord.decode(json);
      if (t.owner().equals(owner)) out.add(t);
    }
    return out;
  }

  @Override
  public synchronized List<TaskRecord> recent(int limit) {
    List<TaskRecord> all = new ArrayList<>();
    for (String json : tasks.values()) all.add(TaskRecord.decode(json));
    return TaskRecord.newestFirst(all, limit);
  }

  @Override
  public synchronized List<TaskRecord> heartbeat(String runner, long now, long leaseMs) {
    leases.put(runner, now + leaseMs);
    List<TaskRecord> out = new ArrayList<>();
    for (String json : new ArrayList<>(tasks.values())) {
      TaskRecord t = TaskRecord.decode(json);
      if (t.terminal() || runner.equals(t.runner())) continue;
      Long until = leases.get(t.runner());
      if (until != null && until > now) continue;
      TaskRecord claimed = t.claimedBy(runner, now);
      tasks.put(t.id(), TaskRecord.encode(claimed));
      questions.forget(t.id());
      out.add(claimed);
    }
    if (!out.isEmpty()) store.commit();
    return out;
  }

  @Override
  public synchronized int purgeExpired(long now) {
    int purged = 0;
    for (Map.Entry<String, String> e : new ArrayList<>(tasks.entrySet())) {
      if (TaskRecord.decode(e.getValue()).expired(now)) {
        tasks.remove(e.getKey());
        questions.forget(e.getKey());
        purged++;
      }
    }
    if (purged > 0) store.commit();
    return purged;
  }

  @Override
  public synchronized Map<String, Integer> countByStatus() {
    Map<String, Integer> counts = new TreeMap<>();
    for (String json : tasks.values())
      counts.merge(TaskRecord.decode(json).status(), 1, Integer::sum);
    return counts;
  }

  @Override
  public synchronized void close() {
    try {
      store.close();
    } catch (RuntimeException e) {
      Log.warn("closing the task store failed: " + e.getMessage());
    }
  }
}
