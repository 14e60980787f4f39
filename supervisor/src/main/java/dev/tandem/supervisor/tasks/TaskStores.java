package dev.tandem.supervisor.tasks;

import dev.tandem.supervisor.log.Log;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;

/**
 * Where a daemon keeps its tasks: one file per configuration, so the daemon started again on the
 * same {@code tandem.toml} finds the tasks the last one held. In {@code $TANDEM_TASKS_DIR}, else
 * {@code $XDG_STATE_HOME/tandem/tasks}, else {@code ~/.local/state/tandem/tasks} (0700). With
 * {@code [tasks] store = "redis://..."} replicas share one Redis instead ({@link RedisTaskStore}).
 */
public final class TaskStores {

  private TaskStores() {}

  public static Path location(Map<String, String> env, Path config) {
    Path dir;
    if (nonEmpty(env.get("TANDEM_TASKS_DIR"))) {
      dir = Path.of(env.get("TANDEM_TASKS_DIR"));
    } else if (nonEmpty(env.get("XDG_STATE_HOME"))) {
      dir = Path.of(env.get("XDG_STATE_HOME"), "tandem", "tasks");
    } else {
      dir = Path.of(System.getProperty("user.home"), ".local", "state", "tandem", "tasks");
    }
    String key = config == null ? "default" : config.toAbsolutePath().normalize().toString();
    return dir.resolve("tasks-" + digest(key) + ".mv.db");
  }

  /**
   * Whether a daemon on this configuration has stored tasks before; a shared store always may have
   * (its replicas' tasks), so it is opened at start.
   */
  public static boolean exists(Map<String, String> env, Path config, String store) {
    return isRedis(store) || java.nio.file.Files.exists(location(env, config));
  }

  public static boolean isRedis(String store) {
    return store != null && (store.startsWith("redis://") || store.startsWith("rediss://"));
  }

  /**
   * The store for this configuration; when its file is held by another daemon on the same
   * configuration (two stdio hosts), or cannot be written, an in-memory one, said in the log.
   */
  public static TaskStore open(Map<String, String> env, Path config, String store, int maxTasks) {
    if (isRedis(store)) {
      // Failing here fails the task call with this message: no silent fallback to a store the
      // other replicas cannot see.
      TaskStore redis = RedisTaskStore.open(store, maxTasks);
      Log.info("tasks are kept in Redis at " + RedisTaskStore.redacted(store));
      return redis;
    }
    Path file = location(env, config);
    try {
      return MvTaskStore.open(file, maxTasks);
    } catch (RuntimeException e) {
      Log.warn(
          "tasks are kept in memory only (they will not survive a restart): cannot open "
              + file
              + ": "
              + e.getMessage());
      return MvTaskStore.inMemory(maxTasks);
    }
  }

  private static boolean nonEmpty(String s) {
    return s != null && !s.isEmpty();
  }

  private static String digest(String s) {
    try {
      byte[] hash = MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(hash, 0, 6);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
