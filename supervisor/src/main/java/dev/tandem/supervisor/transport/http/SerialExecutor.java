package dev.tandem.supervisor.transport.http;

import java.util.ArrayDeque;
import java.util.Queue;
import java.util.concurrent.Executor;

/**
 * Runs a session's tasks one at a time, in submission order, on the thread that submits them: a
 * task submitted while another runs (on another event loop: a session may use several connections)
 * is queued, and the thread running tasks runs it next. So a cancellation is never handled before
 * the request it names, and no thread is created or woken per request.
 *
 * <p>Tasks run on Netty event loops, so they must not block: handing a call to a worker writes it
 * inline only when the pipe is sure to take it, else hands it to the worker's own writer thread
 * (worker.StdinWriter), as on the 2026-07-28 path, which has always run on the event loop.
 */
final class SerialExecutor implements Executor {

  private final Queue<Runnable> tasks = new ArrayDeque<>();
  private boolean running;

  @Override
  public void execute(Runnable task) {
    synchronized (this) {
      if (running) {
        tasks.add(task);
        return;
      }
      running = true;
    }
    Runnable next = task;
    while (next != null) {
      try {
        next.run();
      } catch (RuntimeException e) {
        dev.tandem.supervisor.log.Log.error("http: a session task failed: " + e);
      }
      synchronized (this) {
        next = tasks.poll();
        if (next == null) running = false;
      }
    }
  }
}
