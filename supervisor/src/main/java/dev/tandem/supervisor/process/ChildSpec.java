package dev.tandem.supervisor.process;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What to start: {@code name} labels the child's threads and log lines ({@code worker-docs-3});
 * {@code environment} changes the daemon's own, a {@code null} value removing a variable (zt-exec
 * starts from the daemon's); {@code directory} may be null (the daemon's).
 */
public record ChildSpec(
    String name, List<String> command, Map<String, String> environment, Path directory) {

  /**
   * The changes that leave a child exactly {@code env}: every other variable of the daemon's goes.
   */
  public static Map<String, String> exactly(Map<String, String> env) {
    Map<String, String> changes = new LinkedHashMap<>();
    for (String name : System.getenv().keySet()) changes.put(name, null);
    changes.putAll(env);
    return changes;
  }
}
