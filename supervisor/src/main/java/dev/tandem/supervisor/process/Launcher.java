package dev.tandem.supervisor.process;

import dev.tandem.supervisor.config.RuntimeDirectory;
import dev.tandem.supervisor.log.Log;
import dev.tandem.supervisor.log.Slf4jProvider;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.zeroturnaround.exec.MessageLoggers;
import org.zeroturnaround.exec.ProcessExecutor;
import org.zeroturnaround.exec.ProcessResult;
import org.zeroturnaround.exec.listener.ProcessListener;

/**
 * The one place tandem starts a process, on zt-exec: long-lived children ({@link #start}: the
 * workers of every pool, Python or foreign) and short questions ({@link #run}: the Python probe).
 *
 * <p>A child is started through {@code setsid}, so it leads a process group of its own that what it
 * starts inherits; when it exits, whatever is left in that group is killed (see {@link
 * ProcessTable}), and the group is written in the {@link GroupLedger} for the day the daemon itself
 * is killed with SIGKILL. {@code setsid} execs in place: the child keeps its pid and its parent, so
 * a worker's PR_SET_PDEATHSIG still points at the thread that started it.
 *
 * <p>The exit is seen by the child's stdout reader as its pipe ends, when the child is a zombie by
 * then (see {@link ChildPipes}), else by zt-exec's wait for the process, which calls this class's
 * listener on a platform thread of the child's ({@code NAME-exit}); that thread also sweeps the
 * group and completes {@link Child#gone()}. So a child costs three threads here (that one and its
 * two pipe readers, each parked until there is something to do) besides the JDK's reaper, which
 * every {@link Process} has. Not a virtual thread: the death of a worker is handled on that thread
 * (the pool promotes a spare, calls are retried, lines logged), all blocking writes, for which the
 * virtual scheduler must find or start another carrier; measured, that doubled the time a warm
 * spare takes to answer a failed-over call.
 */
public final class Launcher {

  static {
    Slf4jProvider.install(); // before zt-exec's first class asks SLF4J for a logger
  }

  private static final Path SETSID = findSetsid();

  /**
   * How long after a child's exit its group is swept. A death sets off a failover (a spare takes
   * the slot, calls are retried on it, a replacement starts) that takes milliseconds; a sweep reads
   * all of {@code /proc}, a few milliseconds of CPU on a busy machine and tens on its first run,
   * and on two cores it would be taken from the failover. What is left runs a little longer.
   */
  private static final Duration SWEEP_AFTER = Duration.ofMillis(100);

  private final GroupLedger ledger;
  private final LastNet lastNet;

  public Launcher(GroupLedger ledger) {
    this.ledger = ledger;
    this.lastNet = new LastNet(ledger);
    if (SETSID == null) {
      Log.warn(
          "no setsid(1) found in /usr/bin or /bin: workers share the daemon's process group, and what "
              + "their tools start is not stopped with them");
    }
  }

  /** Loads zt-exec and SLF4J ahead of the first start, which would otherwise wait for them. */
  public static void warm() {
    new OnOwnThread("warm");
  }

  /** The ledger in the user's runtime directory, where the next daemon looks. */
  public static Launcher forThisDaemon() {
    return new Launcher(GroupLedger.in(RuntimeDirectory.of(System.getenv()).resolve("children")));
  }

  public GroupLedger ledger() {
    return ledger;
  }

  /**
   * Starts a child; returns once it runs and its pipes are being read. Must be called on the thread
   * that is to be its parent for PR_SET_PDEATHSIG ({@code Spawner}'s).
   */
  public Child start(ChildSpec spec, Child.Events events) throws IOException {
    requireProgram(spec.command().get(0), spec.directory());
    List<String> command = new ArrayList<>();
    if (SETSID != null) command.add(SETSID.toString());
    command.addAll(spec.command());
    Lifecycle lifecycle = new Lifecycle(spec, events);
    new OnOwnThread(spec.name() + "-exit")
        .command(command)
        .directory(spec.directory() == null ? null : spec.directory().toFile())
        .environment(spec.environment())
        .streams(lifecycle.pipes)
        .redirectErrorStream(false)
        .exitValueAny()
        .setMessageLogger(MessageLoggers.NOP)
        .addListener(lifecycle)
        .start();
    return lifecycle.child;
  }

  /** What one child's run looks like to its launcher, in zt-exec's listener. */
  private final class Lifecycle extends ProcessListener {
    private final ChildSpec spec;
    private final Child.Events events;
    final ChildPipes pipes;
    private final AtomicBoolean told = new AtomicBoolean();
    private final AtomicBoolean ended = new AtomicBoolean();
    private volatile Child child;

    Lifecycle(ChildSpec spec, Child.Events events) {
      this.spec = spec;
      this.events = events;
      this.pipes = new ChildPipes(spec.name(), events, this::tell);
    }

    @Override
    public void afterStart(Process process, ProcessExecutor executor) {
      long startTicks =
          ProcessTable.read(process.pid()).map(ProcessTable.Entry::startTicks).orElse(0L);
      child = new Child(process, startTicks, SETSID != null);
      if (SETSID != null) ledger.record(process.pid(), startTicks);
      lastNet.add(child);
      events.started(child);
      pipes.begin(child);
    }

    @Override
    public void afterFinish(Process process, ProcessResult result) {
      ended(result.getExitValue());
    }

    /** Also after a failed finish (closing a pipe threw): the exit must still be told. */
    @Override
    public void afterStop(Process process) {
      if (!ended.get()) process.onExit().thenAccept(p -> ended(p.exitValue()));
    }

    /** The exit, told once: by the stdout reader that saw the child dead, or by the exit wait. */
    private void tell(int exitValue) {
      if (!told.compareAndSet(false, true)) return;
      try {
        events.exited(exitValue);
      } catch (RuntimeException | Error e) {
        Log.error(spec.name() + " (pid " + child.pid() + "): handling its exit failed: " + e);
      }
    }

    private void ended(int exitValue) {
      if (!ended.compareAndSet(false, true)) return;
      try {
        tell(exitValue);
      } finally {
        try {
          if (SETSID != null) pause(SWEEP_AFTER);
          int killed = child.killGroup();
          if (killed > 0) {
            Log.info(
                spec.name()
                    + " (pid "
                    + child.pid()
                    + "): killed "
                    + killed
                    + " process(es) its tools had started and left running");
          }
        } finally {
          lastNet.remove(child);
          child.gone().complete(exitValue);
        }
      }
    }
  }

  private static void pause(Duration d) {
    try {
      Thread.sleep(d);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** What a short command printed (stdout and stderr together) and its exit value. */
  public record Answer(int exitValue, String output) {}

  /**
   * Runs a short command to its end and returns what it printed; a command still running after
   * {@code limit} is killed and reported as a {@link TimeoutException}.
   */
  public static Answer run(List<String> command, Duration limit)
      throws IOException, InterruptedException, TimeoutException {
    requireProgram(command.get(0), null);
    ProcessResult result =
        new OnOwnThread(command.get(0) + "-exit")
            .command(command)
            .redirectErrorStream(true)
            .readOutput(true)
            .exitValueAny()
            .setMessageLogger(MessageLoggers.NOP)
            .timeout(limit.toMillis(), TimeUnit.MILLISECONDS)
            .execute();
    return new Answer(result.getExitValue(), result.outputString(StandardCharsets.UTF_8.name()));
  }

  /** zt-exec's wait for a process, on a thread named after the child rather than its pid. */
  private static final class OnOwnThread extends ProcessExecutor {
    private final String threadName;

    OnOwnThread(String threadName) {
      this.threadName = threadName;
    }

    @Override
    protected ExecutorService newExecutor(String processName) {
      return Executors.newThreadPerTaskExecutor(
          Thread.ofPlatform().name(threadName).daemon(true).factory());
    }
  }

  /**
   * Through setsid, a program that cannot be run would still start (setsid) and fail in the child;
   * it is found here first, and named as ProcessBuilder would name it.
   */
  private static void requireProgram(String program, Path directory) throws IOException {
    if (program.contains("/")) {
      Path p = directory == null ? Path.of(program) : directory.resolve(program);
      if (Files.isRegularFile(p) && Files.isExecutable(p)) return;
      throw new IOException(
          program + ": " + (Files.exists(p) ? "Permission denied" : "No such file or directory"));
    }
    String path = System.getenv().getOrDefault("PATH", "/usr/local/bin:/usr/bin:/bin");
    for (String dir : path.split(":")) {
      Path p = Path.of(dir.isEmpty() ? "." : dir).resolve(program);
      if (Files.isRegularFile(p) && Files.isExecutable(p)) return;
    }
    throw new IOException(program + ": No such file or directory (not found on PATH)");
  }

  private static Path findSetsid() {
    for (String candidate : new String[] {"/usr/bin/setsid", "/bin/setsid"}) {
      Path p = Path.of(candidate);
      if (Files.isExecutable(p)) return p;
    }
    return null;
  }
}
