package dev.tandem.supervisor.process;

import dev.tandem.supervisor.log.Log;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Duration;
import java.util.OptionalInt;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntConsumer;
import org.zeroturnaround.exec.stream.ExecuteStreamHandler;
import org.zeroturnaround.exec.stream.StreamPumper;

/**
 * A child's stdout and stderr, read on two platform threads of its own so both pipes are always
 * drained and a chatty child never blocks on a full pipe: stdout by its owner (frames), stderr by
 * zt-exec's pump cut into lines. stdin is left to the owner, who writes it as it sees fit.
 *
 * <p>A dying child's pipes end just before it becomes a zombie, and the JDK's reaper then wakes
 * zt-exec's wait, one thread after another: on a busy machine each wake-up can cost milliseconds a
 * failover cannot spare. So the stdout reader, which is awake anyway, looks first: if the child is
 * dead ({@link Child#exitValueIfDead}) and stderr has ended too, it tells the exit itself ({@code
 * exitedEarly}); the exit wait's later report is then a duplicate its listener drops.
 *
 * <p>zt-exec calls {@link #stop()} once the child has exited and closes the pipes right after, so
 * both readers must have reached their end first, or the last frames and the last stderr lines,
 * often the cause of the death, would be lost. A pipe ends when every process holding it is gone,
 * and what the child started holds its stderr (a subprocess inherits it): when the readers do not
 * end at once, the rest of the child's group is killed first.
 */
final class ChildPipes implements ExecuteStreamHandler {

  /** How long the readers of a dead child with no one else holding its pipes need, generously. */
  private static final Duration SETTLE = Duration.ofMillis(50);

  /** How often, and how far apart, a dead child's stdout reader looks for its zombie. */
  private static final int ZOMBIE_POLLS = 5;

  private static final long ZOMBIE_POLL_NANOS = 100_000;

  /** Past this a reader is abandoned: a process that left the group (setsid) still holds a pipe. */
  private static final Duration DRAIN = Duration.ofSeconds(1);

  private final String name;
  private final Child.Events events;
  private final IntConsumer exitedEarly;
  private InputStream stdout;
  private InputStream stderr;

  /**
   * Counted down when stdout is read to its end: the exit wait must not wait for more than that.
   */
  private final CountDownLatch stdoutRead = new CountDownLatch(1);

  private Thread out;
  private Thread err;
  private Child child;

  /** {@code exitedEarly}: told the exit value when the stdout reader sees the child dead. */
  ChildPipes(String name, Child.Events events, IntConsumer exitedEarly) {
    this.name = name;
    this.events = events;
    this.exitedEarly = exitedEarly;
  }

  @Override
  public void setProcessInputStream(OutputStream os) {
    // The owner writes stdin itself (Child.stdin); zt-exec's own handler would close it here.
  }

  @Override
  public void setProcessOutputStream(InputStream is) {
    stdout = is;
  }

  @Override
  public void setProcessErrorStream(InputStream is) {
    stderr = is;
  }

  @Override
  public void start() {
    // Reading starts in begin(), once the owner holds the Child: its first frame may need it.
  }

  void begin(Child child) {
    this.child = child;
    out =
        thread(
            "out",
            () -> {
              try {
                events.stdout(stdout);
              } finally {
                stdoutRead.countDown();
              }
              OptionalInt exit = deadWithPipesRead();
              if (exit.isPresent()) exitedEarly.accept(exit.getAsInt());
              events.stdoutEnded();
            });
    err = thread("err", new StreamPumper(stderr, new StderrLines(events::stderrLine), true, 8192));
    err.start(); // first: the stdout reader joins it when the child dies
    out.start();
  }

  @Override
  public void stop() {
    if (child == null || drained(SETTLE)) return; // never begun: the start itself failed
    int killed = child.killGroup();
    if (killed > 0)
      Log.debug(
          name + " (pid " + child.pid() + "): killed " + killed + " processes holding its pipes");
    if (!drained(DRAIN)) {
      Log.warn(
          name
              + " (pid "
              + child.pid()
              + "): a process outside its group still holds its stdout or stderr; "
              + "its last output may be lost");
    }
  }

  /**
   * The exit value of a child whose stdout just ended, if it is dead and its stderr has ended too
   * within {@link #SETTLE}; else empty, and the exit wait reports the exit once it has drained or
   * killed whatever still holds the pipes. A child still inside exit(2) (its pipes close before its
   * parent can reap it) is given the same time to become a zombie.
   */
  private OptionalInt deadWithPipesRead() {
    try {
      OptionalInt exit = child.exitValueIfDead();
      int polls = 0;
      // It becomes a zombie microseconds after its pipes close: look again a few times before
      // leaving it to the reaper, whose news comes one thread wake-up later.
      while (exit.isEmpty() && polls++ < ZOMBIE_POLLS) {
        LockSupport.parkNanos(ZOMBIE_POLL_NANOS);
        exit = child.exitValueIfDead();
      }
      if (exit.isEmpty() && child.waitFor(SETTLE)) exit = child.exitValueIfDead();
      if (exit.isEmpty()) return exit;
      err.join(SETTLE);
      return err.isAlive() ? OptionalInt.empty() : exit;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return OptionalInt.empty();
    }
  }

  /**
   * Both pipes read to their end. Pipes end as the child dies, before its exit status is known, so
   * this normally holds already when the exit wait gets here: waiting on the readers' own ends
   * (stdout's reader goes on to check the child is gone) would cost the failover another wake-up.
   */
  private boolean drained(Duration limit) {
    long deadline = System.nanoTime() + limit.toNanos();
    try {
      if (!stdoutRead.await(limit.toNanos(), TimeUnit.NANOSECONDS)) return false;
      long left = deadline - System.nanoTime();
      if (left > 0) err.join(Duration.ofNanos(left));
      return !err.isAlive();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  private Thread thread(String stream, Runnable body) {
    Thread t = new Thread(body, name + "-" + stream);
    t.setDaemon(true);
    return t;
  }
}
