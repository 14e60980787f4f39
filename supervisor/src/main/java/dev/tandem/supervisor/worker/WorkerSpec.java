package dev.tandem.supervisor.worker;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** How to start one worker process: its argv, its whole environment and working directory. */
public record WorkerSpec(
    String pool,
    int index,
    List<String> command,
    Map<String, String> env,
    Path workingDirectory,
    int maxFrameBytes) {

  public String label() {
    return "pool \"" + pool + "\" worker " + index;
  }
}
