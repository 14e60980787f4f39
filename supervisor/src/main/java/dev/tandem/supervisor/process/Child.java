package dev.tandem.supervisor.process;

import java.io.InputStream;
import java.io.OutputStream;
import java.time.Duration;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * One running child process, started by {@link Launcher}: its stdin, its signals, and the end of
 * it. A child leads its own process group (the launcher starts it through {@code setsid}), so what
 * its code starts in turn can be found and killed with it; {@link #gone()} completes once the child
 * has exited, its pipes are drained and the rest of its group is dead.
 */
public final class Child {

  /** What the owner of a child hears about it. */
  public interface Events {
    /** The child is running; called before its pipes are read, on the thread that started it. */
    void started(Child child);

    /** Reads the child's stdout to its end, on the child's own {@code -out} thread. */
    void stdout(InputStream in);

    /**
     * Called on the same thread once {@link #stdout} has returned: the child is usually exiting,
     * but one that closed its stdout may live on.
     */
    void stdoutEnded();

    /** One line the child wrote to stderr, on its {@code -err} thread. */
    void stderrLine(String line);

    /**
     * The child exited with {@code exitValue} (the JDK's: 128 + N for signal N) and both pipes were
     * read to their end. Called once, before the rest of its process group is killed, so a
     * supervisor can replace it without waiting for that: on the {@code -out} thread when that saw
     * the child dead as its stdout ended (the usual case), else on the {@code -exit} thread.
     */
    void exited(int exitValue);
  }

  private final Process process;
  private final long startTicks;
  private final boolean ownGroup;
  private final CompletableFuture<Integer> gone = new CompletableFuture<>();

  Child(Process process, long startTicks, boolean ownGroup) {
    this.process = process;
    this.startTicks = startTicks;
    this.ownGroup = ownGroup;
  }

  public long pid() {
    return process.pid();
  }

  public OutputStream stdin() {
    return process.getOutputStream();
  }

  public boolean waitFor(Duration limit) throws InterruptedException {
    return process.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS);
  }

  /**
   * The exit value if the child is dead, reaped by the JDK or not yet (a zombie, read from {@code
   * /proc}): a death seen on its pipes need not wait for the JDK's reaper and the thread it wakes.
   */
  OptionalInt exitValueIfDead() {
    if (!process.isAlive()) return OptionalInt.of(process.exitValue());
    return ProcessTable.zombieExitValue(process.pid(), startTicks);
  }

  /** SIGTERM: asks the child to exit. */
  public void terminate() {
    process.destroy();
  }

  /** SIGKILL, to the child alone; the rest of its group follows once it has exited. */
  public void kill() {
    process.destroyForcibly();
  }

  /** Completes with the exit value once the child and every process left in its group are gone. */
  public CompletableFuture<Integer> gone() {
    return gone;
  }

  Process process() {
    return process;
  }

  /** SIGKILLs every process left in the child's group; returns how many there were. */
  int killGroup() {
    return ownGroup ? ProcessTable.killGroups(Map.of(process.pid(), startTicks)) : 0;
  }

  long startTicks() {
    return startTicks;
  }
}
