package dev.tandem.supervisor.pool;

import dev.tandem.supervisor.log.Log;
import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;

/**
 * Watches the source directories of the Python pools (their {@code path}) and says which pool's
 * files changed: modules, prompt templates, anything under the path but caches, editor droppings
 * and logs. Development only ({@code [server] watch} or {@code serve --watch}).
 *
 * <p>It polls modification times and sizes every {@code interval} rather than using WatchService:
 * on Linux WatchService needs one inotify watch per directory, registered again for every directory
 * created later, and drops events under bursts; a walk of a source tree is cheap, and sees whatever
 * an editor does (write in place, write and rename, delete and create). A change is reported once a
 * poll finds the tree quiet again, so an editor's burst of writes, or a {@code git checkout}, makes
 * one reload, not several, and never one of a half-written file.
 */
public final class SourceWatcher implements AutoCloseable {

  /** Past this many files a pool's tree is not a source directory worth walking twice a second. */
  static final int MAX_FILES = 20_000;

  private record Stamp(long modifiedNanos, long size) {}

  private final Map<Pool, List<Path>> roots = new LinkedHashMap<>();
  private final Map<Pool, Map<Path, Stamp>> seen = new HashMap<>();
  private final Map<Pool, TreeSet<Path>> pending = new HashMap<>();
  private final BiConsumer<Pool, List<Path>> changed;
  private final ScheduledExecutorService timer =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "tandem-watch");
            t.setDaemon(true);
            return t;
          });

  private SourceWatcher(BiConsumer<Pool, List<Path>> changed) {
    this.changed = changed;
  }

  /**
   * Starts watching the directories of every Python pool; {@code changed} is told the pool and the
   * files that changed (added, edited or deleted), on the watcher's thread.
   */
  public static SourceWatcher start(
      List<Pool> pools, Duration interval, BiConsumer<Pool, List<Path>> changed) {
    SourceWatcher watcher = new SourceWatcher(changed);
    for (Pool pool : pools) {
      List<Path> dirs = pool.sourceDirectories();
      if (dirs.isEmpty()) continue;
      watcher.roots.put(pool, dirs);
      watcher.seen.put(pool, watcher.scan(pool, dirs));
      Log.info(
          "pool="
              + pool.name()
              + " watching "
              + dirs
              + " for changes: an edit reloads its workers");
    }
    long ms = interval.toMillis();
    watcher.timer.scheduleWithFixedDelay(watcher::tick, ms, ms, TimeUnit.MILLISECONDS);
    return watcher;
  }

  private void tick() {
    for (Map.Entry<Pool, List<Path>> e : roots.entrySet()) {
      Pool pool = e.getKey();
      try {
        Map<Path, Stamp> now = scan(pool, e.getValue());
        Map<Path, Stamp> before = seen.put(pool, now);
        List<Path> diff = diff(before, now);
        if (!diff.isEmpty()) {
          pending.computeIfAbsent(pool, p -> new TreeSet<>()).addAll(diff);
        } else if (pending.containsKey(pool)) {
          changed.accept(pool, List.copyOf(pending.remove(pool)));
        }
      } catch (RuntimeException ex) {
        Log.warn("pool=" + pool.name() + " watching its sources failed: " + ex);
      }
    }
  }

  private static List<Path> diff(Map<Path, Stamp> before, Map<Path, Stamp> now) {
    List<Path> out = new ArrayList<>();
    for (Map.Entry<Path, Stamp> e : now.entrySet()) {
      if (!Objects.equals(before.get(e.getKey()), e.getValue())) out.add(e.getKey());
    }
    for (Path p : before.keySet()) if (!now.containsKey(p)) out.add(p);
    return out;
  }

  private Map<Path, Stamp> scan(Pool pool, List<Path> dirs) {
    Map<Path, Stamp> files = new HashMap<>();
    for (Path dir : dirs) {
      if (!Files.isDirectory(dir)) continue;
      try {
        Files.walkFileTree(
            dir,
            new SimpleFileVisitor<>() {
              @Override
              public FileVisitResult preVisitDirectory(Path d, BasicFileAttributes attrs) {
                return !d.equals(dir) && ignoredDirectory(d.getFileName().toString())
                    ? FileVisitResult.SKIP_SUBTREE
                    : FileVisitResult.CONTINUE;
              }

              @Override
              public FileVisitResult visitFile(Path f, BasicFileAttributes attrs) {
                if (!attrs.isRegularFile() || ignoredFile(f.getFileName().toString()))
                  return FileVisitResult.CONTINUE;
                files.put(
                    f, new Stamp(attrs.lastModifiedTime().to(TimeUnit.NANOSECONDS), attrs.size()));
                return files.size() >= MAX_FILES
                    ? FileVisitResult.TERMINATE
                    : FileVisitResult.CONTINUE;
              }

              @Override
              public FileVisitResult visitFileFailed(Path f, IOException e) {
                return FileVisitResult
                    .CONTINUE; // deleted while walking: the next poll sees it gone
              }
            });
      } catch (IOException e) {
        Log.debug("pool=" + pool.name() + " could not walk " + dir + ": " + e.getMessage());
      }
    }
    return files;
  }

  /** Caches, virtualenvs and version control: never what a person edits to change a tool. */
  static boolean ignoredDirectory(String name) {
    return name.startsWith(".")
        || name.equals("__pycache__")
        || name.equals("node_modules")
        || name.equals("venv")
        || name.endsWith(".egg-info");
  }

  /**
   * Bytecode, editor swap and backup files, and what tools write while they run (logs, traces):
   * reloading on those would reload on every call, or on every keystroke.
   */
  static boolean ignoredFile(String name) {
    return name.startsWith(".")
        || name.endsWith("~")
        || name.endsWith(".pyc")
        || name.endsWith(".pyo")
        || name.endsWith(".swp")
        || name.endsWith(".swx")
        || name.endsWith(".tmp")
        || name.endsWith(".log")
        || name.endsWith(".jsonl")
        || name.startsWith("#");
  }

  /**
   * Prompt templates ({@code .tmpl}, tandem's template files): a worker checks a template's file at
   * each render and re-reads it when it changed, so saving one needs no new workers, and a reload
   * would only cost the prompt-iteration loop a second and the warm state of its workers. Other
   * files a module reads (a {@code .txt} read at import) need the reload.
   */
  public static boolean rereadByWorkers(Path file) {
    return file.getFileName().toString().endsWith(".tmpl");
  }

  @Override
  public void close() {
    timer.shutdownNow();
  }
}
