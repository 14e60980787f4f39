package dev.tandem.supervisor.worker;

import java.util.List;

/** The worker a request was waiting on is gone; the request will never be answered by it. */
public final class WorkerDied extends RuntimeException {

  private final ExitStatus status;
  private final List<String> stderrTail;

  public WorkerDied(String message, ExitStatus status, List<String> stderrTail) {
    super(message);
    this.status = status;
    this.stderrTail = List.copyOf(stderrTail);
  }

  public ExitStatus status() {
    return status;
  }

  public List<String> stderrTail() {
    return stderrTail;
  }
}
