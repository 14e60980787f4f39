package dev.tandem.supervisor.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tandem.supervisor.pool.PythonRuntime;
import dev.tandem.supervisor.process.GroupLedger;
import dev.tandem.supervisor.process.Launcher;
import dev.tandem.supervisor.process.ProcessTable;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A real Python worker started, killed and seen to die through the launcher. */
class WorkerProcessTest {

  private static final Path HOME =
      Path.of(System.getProperty("tandem.home", "..")).toAbsolutePath().normalize();

  @Test
  void aWorkerStartedThroughTheLauncherIsKilledAndItsDeathObserved(@TempDir Path dir)
      throws Exception {
    String python = PythonRuntime.locate(null).executable().toString();
    WorkerSpec spec =
        new WorkerSpec(
            "probe",
            1,
            List.of(
                python,
                "-m",
                "tandem.worker",
                "--path",
                HOME.resolve("examples/tools").toString(),
                "basics"),
            Map.of("PYTHONPATH", HOME.resolve("reasoning-python").toString()),
            null,
            1 << 22);
    CompletableFuture<ExitStatus> told = new CompletableFuture<>();
    Worker worker =
        new Worker(
            spec,
            (w, status) -> told.complete(status),
            new Spawner(new Launcher(GroupLedger.in(dir))),
            "test");
    worker.start().get(60, TimeUnit.SECONDS);

    assertEquals(Worker.State.READY, worker.state());
    long pid = worker.pid();
    assertEquals(
        pid, ProcessTable.read(pid).orElseThrow().pgrp(), "the worker leads its own process group");

    worker.kill("the test asked");
    ExitStatus status = told.get(10, TimeUnit.SECONDS);
    assertEquals(9, status.signal());
    assertEquals(Worker.State.DEAD, worker.state());
    assertTrue(worker.exitReason(status).contains("killed by tandem with SIGKILL: the test asked"));
    assertEquals(status, worker.stop(java.time.Duration.ofSeconds(1)).get(10, TimeUnit.SECONDS));
  }
}
