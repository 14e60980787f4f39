package dev.tandem.supervisor.process;

import dev.tandem.supervisor.log.Log;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.zeroturnaround.exec.stream.ExecuteStreamHandler;
import org.zeroturnaround.exec.stream.StreamPumper;

/**
 * A child's stdout and stderr, read on two platform threads of its own so both pipes are always
 * drained and a chatty child never blocks on a full pipe: stdout by its owner (frames), stderr by
 * zt-exec's pump cut into lines. stdin is left to the owner, who writes it as it sees fit.
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

  /** Past this a reader is abandoned: a process that left the group (setsid) still holds a pipe. */
  private static final Duration DRAIN = Duration.ofSeconds(1);

  private final String name;
  private final Child.Events events;
  private InputStream stdout;
  private InputStream stderr;

  /**
   * Counted down when stdout is read to its end: the exit wait must not wait for more than that.
   */
  private final CountDownLatch stdoutRead = new CountDownLatch(1);

  private Thread out;
  private Thread err;
  private Child child;

  ChildPipes(String name, Child.Events events) {
    this.name = name;
    this.events = events;
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
              events.stdoutEnded();
            });
    err = thread("err", new StreamPumper(stderr, new StderrLines(events::stderrLine), true, 8192));
    out.start();
    err.start();
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
