package dev.tandem.supervisor.pool;

import dev.tandem.supervisor.worker.Spawner;
import dev.tandem.supervisor.worker.Worker;
import dev.tandem.supervisor.worker.WorkerLink;
import dev.tandem.supervisor.worker.WorkerSpec;

/**
 * Where a pool gets its workers. The daemon's spawns a process per worker ({@link #spawning}); a
 * unit test's hands out fakes it then drives (ready, dies, answers), so the supervision state
 * machine runs in-process in milliseconds as well as under real daemons.
 */
public interface WorkerFactory {

  /** A worker for {@code spec}, not started yet: the pool calls {@link WorkerLink#start}. */
  WorkerLink create(WorkerSpec spec, WorkerLink.Events events);

  /** Real workers: a child process each, forked by {@code spawner}'s long-lived thread. */
  static WorkerFactory spawning(Spawner spawner, String clientVersion) {
    return (spec, events) -> new Worker(spec, events, spawner, clientVersion);
  }
}
