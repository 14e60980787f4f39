package dev.tandem.supervisor.cli;

import dev.tandem.supervisor.log.Log;
import dev.tandem.supervisor.log.NettyLog;
import dev.tandem.supervisor.router.Router;
import dev.tandem.supervisor.session.Session;
import dev.tandem.supervisor.session.StatelessServer;
import dev.tandem.supervisor.tasks.TaskEngine;
import dev.tandem.supervisor.transport.StdioTransport;
import dev.tandem.supervisor.transport.http.HttpServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * How {@code tandem serve} ends: stop taking work, let calls in flight finish within the grace
 * period, answer the rest with an error that says why, end the sessions, stop the workers, write
 * the last answers. It runs once, from stdin's end, a signal or the JVM's shutdown hook, whichever
 * comes first, and may come at any moment of the start-up, even before there is anything to stop.
 */
final class Shutdown {

  /** How long shutdown waits for a stdio host to take the last answers before exiting anyway. */
  static final Duration STDOUT_DRAIN = Duration.ofSeconds(2);

  /**
   * How long shutdown waits for the errors that end the calls the grace period did not see
   * answered.
   */
  static final Duration ABANDONED_ANSWERS = Duration.ofSeconds(1);

  /**
   * Guards {@link #stopped} and {@link #runtimeFile}, so a file is never written after a stop
   * began.
   */
  private final Object stopLock = new Object();

  private boolean stopped;
  private RuntimeFile runtimeFile;

  /** What a signal stops, once there is something to stop; before that a signal just exits. */
  private volatile Runnable onStop;

  /** Completes when {@link #stop} has run to its end. */
  private final CompletableFuture<Void> finished = new CompletableFuture<>();

  private volatile StatelessServer modern;
  private volatile StdioTransport stdio;
  private volatile TaskEngine tasks;

  /** What a signal stops from now on. */
  void onSignal(Runnable stop) {
    onStop = stop;
  }

  /** The 2026-07-28 server, whose calls are drained and subscriptions closed. */
  void drains(StatelessServer modern) {
    this.modern = modern;
  }

  /** The task engine: its running tasks are left for the next daemon, its store closed. */
  void keepsTasks(TaskEngine tasks) {
    this.tasks = tasks;
  }

  /** The stdio host, whose last answers are written before the process exits. */
  void writesLastAnswersTo(StdioTransport stdio) {
    this.stdio = stdio;
  }

  /**
   * The first step of a stop behind a load balancer: {@code /readyz} already answers 503, and for
   * {@code drain} everything else goes on as before (new requests, calls, streams), so health
   * checks take this replica out of rotation before its listener closes and a request sent to it
   * meanwhile is still answered.
   */
  static void drainForBalancers(Duration drain) {
    if (drain.isZero()) return;
    Log.info(
        "draining: /readyz answers 503; still serving for "
            + drain.toMillis()
            + " ms ([http] drain_ms) so load balancers stop sending work here");
    try {
      Thread.sleep(drain);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * Stop taking work (HTTP: close the listening socket first), let calls in flight finish within
   * the grace period, answer those that did not with an error that says tandem is shutting down
   * (and cancel them), then end the sessions and stop the workers (stdin closed, SIGTERM, SIGKILL).
   * Runs once, from stdin EOF or the signal hook.
   */
  boolean stop(Router router, Session session, HttpServer http, Duration grace) {
    if (!markStopped()) return false;
    try {
      drainAndStop(router, session, http, grace);
    } finally {
      finished.complete(null);
    }
    return true;
  }

  /**
   * Each step is attempted whatever the one before it threw: a stop must get to the workers from
   * any state, including one where an earlier failure (no file descriptor left to load a class)
   * left something broken.
   */
  private void drainAndStop(Router router, Session session, HttpServer http, Duration grace) {
    attempt("stop taking calls", router::stopAccepting);
    // What shutdown does to running tasks is not their outcome: the next daemon takes them over.
    if (tasks != null) attempt("stop recording task failures", tasks::stopping);
    if (http != null) attempt("close the HTTP listener", http::stopAccepting);
    attempt("drain the calls in flight", () -> drain(router, session, http, grace));
    if (modern != null) attempt("close the 2026-07-28 server", modern::close);
    if (tasks != null) attempt("close the task store", tasks::close);
    if (session != null) attempt("close the stdio session", session::close);
    if (http != null) attempt("close the HTTP sessions", () -> http.close(Duration.ofSeconds(2)));
    attempt(
        "stop the workers",
        () -> {
          try {
            router.shutdown(Duration.ofSeconds(2)).get(10, TimeUnit.SECONDS);
          } catch (Exception e) {
            Log.warn("workers did not all stop in time: " + e);
          }
        });
    // Answers are written by their own thread: the last ones must leave before the process does.
    StdioTransport host = stdio;
    if (host != null)
      attempt("write the last answers to the host", () -> host.finish(STDOUT_DRAIN.toMillis()));
    Log.info("stopped");
  }

  private void drain(Router router, Session session, HttpServer http, Duration grace) {
    int inFlight =
        (session == null ? 0 : session.inFlight())
            + (http == null ? 0 : http.inFlight())
            + (modern == null ? 0 : modern.inFlight());
    if (inFlight == 0) return;
    Log.info("waiting up to " + grace.toMillis() + " ms for " + inFlight + " call(s) in flight");
    if (drained(session, http, grace)) return;
    // The hosts are still connected: each call gets an answer that says why it ends, then the
    // workers are told to stop it. Only then do the sessions close.
    Log.warn(
        "calls still in flight after the grace period; answering them with an error and cancelling them");
    router.abandonCalls(
        "tandem is shutting down: the call did not finish within shutdown_grace_ms = "
            + grace.toMillis()
            + " ms and was cancelled; call it again once tandem is back");
    drained(session, http, ABANDONED_ANSWERS);
  }

  /** Whether every call in flight was answered on the wire within {@code limit}. */
  private boolean drained(Session session, HttpServer http, Duration limit) {
    try {
      CompletableFuture.allOf(
              session == null ? CompletableFuture.completedFuture(null) : session.drained(),
              http == null ? CompletableFuture.completedFuture(null) : http.drained(),
              modern == null ? CompletableFuture.completedFuture(null) : modern.drained())
          .get(limit.toMillis(), TimeUnit.MILLISECONDS);
      return true;
    } catch (TimeoutException e) {
      return false;
    } catch (Exception e) {
      Log.debug("drain ended: " + e);
      return true;
    }
  }

  private static void attempt(String step, Runnable action) {
    try {
      action.run();
    } catch (Throwable t) {
      Log.warn("shutdown: could not " + step + ": " + t + "; going on");
    }
  }

  /** A signal or the JVM's shutdown: stops what has started, or marks that nothing should. */
  void stopNow() {
    Runnable stop = onStop;
    if (stop != null) stop.run();
    else markStopped();
  }

  /**
   * True for the one caller that begins the stop; removes the runtime file first, so no new
   * notebook finds a daemon that is leaving.
   */
  private boolean markStopped() {
    synchronized (stopLock) {
      if (stopped) return false;
      stopped = true;
      NettyLog.stopping();
      if (runtimeFile != null) runtimeFile.remove();
      return true;
    }
  }

  boolean isStopped() {
    synchronized (stopLock) {
      return stopped;
    }
  }

  /** Writes the runtime file unless a stop has begun (which would never remove it); false then. */
  boolean writeRuntimeFile(String url, Path config, String generatedToken) {
    synchronized (stopLock) {
      if (stopped) return false;
      runtimeFile = RuntimeFile.write(url, config, Main.VERSION, generatedToken);
      return true;
    }
  }

  /** The main thread's part when a stop came first: the stopping thread exits; wait for it. */
  int awaitStop() {
    finished.join();
    return 0;
  }
}
