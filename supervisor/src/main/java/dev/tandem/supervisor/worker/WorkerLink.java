package dev.tandem.supervisor.worker;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * What a supervisor sees of one worker: start it, send it calls, stop or kill it, read what it said
 * about itself. {@link Worker} is the one real link (a child process speaking MCP on its pipes);
 * the seam exists so the pool's state machine can run in a unit test against a fake one, as go-sdk
 * runs its sessions over in-memory transports.
 */
public interface WorkerLink {

  /** What a worker says that concerns its pool rather than one call. */
  interface Events {
    /** Told once when the process is gone, whatever the cause. */
    void exited(WorkerLink worker, ExitStatus status);

    /** {@code notifications/tools/list_changed} and its prompts and resources siblings. */
    default void listChanged(WorkerLink worker, String notification) {}

    /** {@code notifications/resources/updated}. */
    default void resourceUpdated(WorkerLink worker, ObjectNode params) {}
  }

  /** Spawns the process and completes when it has answered {@code initialize}. */
  CompletableFuture<? extends WorkerLink> start();

  /** Sends a request; {@code listener} hears progress, logs and host requests for it. */
  WorkerCall call(String method, ObjectNode params, CallListener listener);

  /** Ends every request in flight now with {@code why}, and tells the worker to stop each one. */
  void abandonCalls(RuntimeException why);

  /** Closes stdin, then SIGTERM, then SIGKILL; completes once it is gone. */
  CompletableFuture<ExitStatus> stop(Duration grace);

  /** SIGKILL now; {@code reason} goes into the error of every call still waiting on it. */
  void kill(String reason);

  /** How it ended, in words: the exit status, or why tandem killed it. */
  String exitReason(ExitStatus status);

  List<String> stderrTail();

  WorkerSpec spec();

  Worker.State state();

  /** Its process id, or -1 while (or if) it has no process. */
  long pid();

  Instant startedAt();

  /** Its answer to {@code initialize}, once it gave one. */
  JsonNode initializeResult();

  /** Whether it answers {@code tandem/stats}, as its initialize result announces. */
  boolean speaksStats();

  /** Lines on stdout that were not MCP messages. */
  long garbageFrames();
}
