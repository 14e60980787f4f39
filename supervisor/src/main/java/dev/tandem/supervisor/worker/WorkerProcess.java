package dev.tandem.supervisor.worker;

import dev.tandem.protocol.FrameBuffer;
import dev.tandem.supervisor.log.Log;
import dev.tandem.supervisor.process.Child;
import dev.tandem.supervisor.process.ChildSpec;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The process side of a worker: spawning it, its pipes, stopping and killing it, its exit and the
 * last lines of its stderr. It knows nothing of MCP; {@link Worker}, the link, reads the frames on
 * stdout (through {@link Owner#stdout}) and hands frames for stdin to {@link #send}.
 *
 * <p>Three platform threads per worker: two, the {@link Child}'s, read its stdout (frames) and
 * stderr (log lines), so both pipes are always drained and a chatty worker never blocks on a full
 * pipe; one writes its stdin from a queue whenever a write might block ({@link StdinWriter}), so a
 * worker that stops reading (SIGSTOP, a deadlock) blocks only that thread, never a session's reader
 * or the supervisor's timers, which must stay free to kill it. A write that cannot block is made by
 * the sender itself. The queue is bounded in practice by the pool's admission: max_concurrency
 * calls and a ping.
 */
final class WorkerProcess {

  /** What the process tells the link that owns it. */
  interface Owner {
    /** Reads the worker's stdout to its end, on the stdout thread. */
    void stdout(InputStream in);

    /** Whether tandem is stopping it (or it is dead): a process that appears now is not wanted. */
    boolean stopping();

    /** Told once, after both pipes are read to their end, whatever ended it. */
    void died(ExitStatus status);
  }

  /** How long a worker whose stdout ended may take to exit before it counts as hung. */
  private static final Duration STDOUT_CLOSED_GRACE = Duration.ofMillis(500);

  private final WorkerSpec spec;
  private final Spawner spawner;
  private final Owner owner;
  private final StderrTail stderrTail = new StderrTail(40);
  private final CompletableFuture<ExitStatus> exited = new CompletableFuture<>();
  private final StdinWriter stdin = new StdinWriter(this::stdinClosed);
  private final AtomicBoolean deathHandled = new AtomicBoolean();
  private volatile Child child;
  private volatile Instant startedAt;
  private volatile String killedBecause;

  WorkerProcess(WorkerSpec spec, Spawner spawner, Owner owner) {
    this.spec = spec;
    this.spawner = spawner;
    this.owner = owner;
  }

  /** Spawns the process; completes once it runs and its pipes are read. */
  CompletableFuture<Child> spawn() {
    // The spec's env is all a worker gets (pool.WorkerEnvironment): none of the daemon's secrets.
    ChildSpec process =
        new ChildSpec(
            "worker-" + spec.pool() + "-" + spec.index(),
            spec.command(),
            ChildSpec.exactly(spec.env()),
            spec.workingDirectory());
    return spawner.spawn(process, new Events());
  }

  /** What the launcher tells this worker about its process, on the threads it names. */
  private final class Events implements Child.Events {
    @Override
    public void started(Child c) {
      attach(c);
    }

    @Override
    public void stdout(InputStream in) {
      owner.stdout(in);
    }

    @Override
    public void stdoutEnded() {
      WorkerProcess.this.stdoutEnded();
    }

    @Override
    public void stderrLine(String line) {
      WorkerProcess.this.stderrLine(line);
    }

    @Override
    public void exited(int exitValue) {
      exitedWith(exitValue);
    }
  }

  private void attach(Child c) {
    this.child = c;
    if (owner.stopping()) {
      // stop() came while the process was being spawned: it must not outlive the daemon's intent.
      c.kill();
    }
    this.startedAt = Instant.now();
    stdin.attach(c.stdin());
    platformThread("in", stdin::run).start();
    Log.worker(
        Log.Level.DEBUG,
        spec.pool(),
        spec.index(),
        c.pid(),
        "started: " + String.join(" ", spec.command()));
  }

  private void exitedWith(int exitValue) {
    if (!deathHandled.compareAndSet(false, true)) return;
    try {
      owner.died(new ExitStatus(exitValue));
    } catch (RuntimeException | Error e) {
      // Never let a death go unrecorded: shutdown and the pool wait on `exited`.
      Log.worker(
          Log.Level.ERROR, spec.pool(), spec.index(), pid(), "handling its exit failed: " + e);
      exited.complete(new ExitStatus(exitValue));
    }
  }

  /**
   * The owner's part of a death: no more writes, and {@link #exited} completes. Called by the owner
   * from {@link Owner#died}, before it tells anyone else.
   */
  void ended(ExitStatus status) {
    stdin.close(true);
    exited.complete(status);
  }

  /**
   * The worker's stdout ended, which for a process that dies happens as it dies; the launcher
   * reports the exit itself. A worker that closed its stdout and lives on can no longer answer
   * anything: it is killed, unless tandem is already stopping it.
   */
  private void stdoutEnded() {
    try {
      if (child.waitFor(STDOUT_CLOSED_GRACE)) return;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return;
    }
    if (!owner.stopping()) kill("it closed its stdout but kept running");
  }

  private Thread platformThread(String stream, Runnable body) {
    Thread t = new Thread(body, "worker-" + spec.pool() + "-" + spec.index() + "-" + stream);
    t.setDaemon(true);
    return t;
  }

  /** Writes one frame to stdin after every frame before it; see {@link StdinWriter#send}. */
  void send(FrameBuffer frame, WorkerCall call) {
    stdin.send(frame, call);
  }

  /** The worker answered a request whose frame ended at {@code offset}: it read stdin so far. */
  void readThrough(long offset) {
    stdin.readThrough(offset);
  }

  private void stdinClosed(IOException e) {
    Log.worker(
        Log.Level.DEBUG, spec.pool(), spec.index(), pid(), "stdin closed: " + e.getMessage());
  }

  private void stderrLine(String text) {
    stderrTail.add(text);
    Log.worker(Log.Level.INFO, spec.pool(), spec.index(), pid(), "stderr: " + text);
  }

  /** How it ended, in words: the exit status, or why tandem killed it. */
  String exitReason(ExitStatus status) {
    return killedBecause == null
        ? status.describe()
        : "was killed by tandem with SIGKILL: " + killedBecause;
  }

  /**
   * Stops the process the way the MCP stdio transport says: close its stdin and wait, then SIGTERM
   * and wait, then SIGKILL. Completes once it is gone with what its tools started.
   */
  CompletableFuture<ExitStatus> stop(Duration grace) {
    Child c = child;
    if (c == null) return CompletableFuture.completedFuture(new ExitStatus(0));
    stdin.close(false); // after the frames already queued, so a last notification still arrives
    CompletableFuture<ExitStatus> gone = c.gone().thenCompose(value -> exited);
    return gone.copy()
        .completeOnTimeout(null, grace.toMillis(), TimeUnit.MILLISECONDS)
        .thenCompose(
            done -> {
              if (done != null) return gone;
              Log.worker(
                  Log.Level.WARN,
                  spec.pool(),
                  spec.index(),
                  pid(),
                  "did not exit after stdin closed; sending SIGTERM");
              c.terminate();
              return gone.copy()
                  .completeOnTimeout(null, 2, TimeUnit.SECONDS)
                  .thenCompose(
                      d2 -> {
                        if (d2 != null) return gone;
                        Log.worker(
                            Log.Level.WARN,
                            spec.pool(),
                            spec.index(),
                            pid(),
                            "ignored SIGTERM; sending SIGKILL");
                        c.kill();
                        return gone;
                      });
            });
  }

  /** SIGKILL now; the first reason given is the one every waiting caller's error carries. */
  void kill(String reason) {
    if (killedBecause == null) killedBecause = reason;
    Log.worker(Log.Level.WARN, spec.pool(), spec.index(), pid(), "killing it (SIGKILL): " + reason);
    Child c = child;
    if (c != null) c.kill();
  }

  /** Its exit status once it is gone, or {@code ifAlive} while it runs. */
  ExitStatus exitStatus(ExitStatus ifAlive) {
    return exited.getNow(ifAlive);
  }

  long pid() {
    Child c = child;
    return c == null ? -1 : c.pid();
  }

  Instant startedAt() {
    return startedAt;
  }

  List<String> stderrTail() {
    return stderrTail.snapshot();
  }
}
