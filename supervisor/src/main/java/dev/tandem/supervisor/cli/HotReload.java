package dev.tandem.supervisor.cli;

import dev.tandem.protocol.Json;
import dev.tandem.supervisor.log.Log;
import dev.tandem.supervisor.pool.SourceWatcher;
import dev.tandem.supervisor.router.CallFailed;
import dev.tandem.supervisor.router.Router;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * {@code [server] watch} / {@code serve --watch}: an edit under a pool's {@code path} reloads that
 * pool, exactly as {@code tandem/reload} would; the outcome is logged, and shown as the pool's
 * {@code lastReload} in the status. A syntax error keeps the old workers serving. Saving only
 * templates reloads nothing: workers re-read them at the next render.
 */
final class HotReload {

  /** How often the sources are polled; an edit is picked up within about two of these. */
  static final Duration INTERVAL = Duration.ofMillis(500);

  private HotReload() {}

  static SourceWatcher start(Router router) {
    return SourceWatcher.start(
        router.pools(),
        INTERVAL,
        (pool, files) -> {
          if (files.stream().allMatch(SourceWatcher::rereadByWorkers)) {
            Log.info(
                "pool="
                    + pool.name()
                    + " template changed on disk ("
                    + describe(files)
                    + "): its workers re-read "
                    + "templates at the next render, no reload needed");
            return;
          }
          String what = describe(files);
          Log.info(
              "pool=" + pool.name() + " changed on disk (" + what + "): reloading its workers");
          var params = Json.object();
          params.putArray("pools").add(pool.name());
          router
              .reload(params)
              .whenComplete(
                  (result, failure) -> {
                    if (failure == null) return; // the pool logs what it reloaded
                    String message = CallFailed.errorOf(failure).message();
                    Log.warn(
                        "pool="
                            + pool.name()
                            + " was not reloaded after the change to "
                            + what
                            + "; it keeps serving the "
                            + "previous code until the next edit: "
                            + message.lines().findFirst().orElse(""));
                  });
        });
  }

  private static String describe(List<Path> files) {
    List<String> names = files.stream().limit(3).map(p -> p.getFileName().toString()).toList();
    return String.join(", ", names)
        + (files.size() > 3 ? " and " + (files.size() - 3) + " more" : "");
  }
}
