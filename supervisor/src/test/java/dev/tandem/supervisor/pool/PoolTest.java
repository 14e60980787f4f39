package dev.tandem.supervisor.pool;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.protocol.Failures;
import dev.tandem.protocol.Json;
import dev.tandem.supervisor.config.PoolConfig;
import dev.tandem.supervisor.config.ServerConfig;
import dev.tandem.supervisor.config.Supervision;
import dev.tandem.supervisor.config.TraceConfig;
import dev.tandem.supervisor.pool.FakeWorkers.Fake;
import dev.tandem.supervisor.worker.WorkerDied;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The supervision state machine against fake workers: every event (ready, death, spawn failure,
 * answer, stats) is caused by the test on its own thread, so what the pool did is visible when the
 * call that caused it returns. Only timers (backoff, half-open, health checks) run on the pool's
 * own thread, and are awaited with short deadlines.
 */
class PoolTest {

  private static final Duration WAIT = Duration.ofSeconds(5);
  private static final int SIGKILL = 128 + 9;

  private final FakeWorkers workers = new FakeWorkers();
  private Pool pool;

  @AfterEach
  void stop() {
    if (pool != null) pool.shutdown(Duration.ofMillis(10));
  }

  /** A command pool (no Python) supervised by {@code limits}. */
  private Pool pool(int replicas, Supervision limits) {
    PoolConfig config =
        new PoolConfig(
            "p", List.of(), List.of(), List.of("fake-server"), replicas, Map.of(), null, limits);
    ServerConfig server =
        new ServerConfig("python3", 100, 1 << 22, Duration.ofSeconds(1), Path.of("."), false);
    pool = new Pool(config, server, new TraceConfig.Traces(null, null, Map.of()), null, workers);
    return pool;
  }

  private static Supervision limits(
      int spare, int maxRestarts, Duration halfOpenAfter, long maxCalls) {
    return new Supervision(
        4,
        8,
        Duration.ofMinutes(1),
        Duration.ofMinutes(1),
        Duration.ofHours(1),
        Duration.ofSeconds(10),
        maxRestarts,
        Duration.ofMinutes(1),
        halfOpenAfter,
        spare,
        maxCalls,
        0);
  }

  /** Starts the pool with every replica ready, and its spares created (not yet ready). */
  private void serve(Pool p, int replicas) throws Exception {
    CompletableFuture<Void> started = p.start();
    for (int i = 0; i < replicas; i++) workers.get(i).ready();
    started.get(5, TimeUnit.SECONDS);
    assertEquals(PoolState.SERVING, p.state());
  }

  private static Throwable failureOf(PoolCall call) {
    assertTrue(call.result().isCompletedExceptionally(), "the call should have failed at once");
    return Failures.cause(call.result().handle((r, f) -> f).join());
  }

  private static ObjectNode params() {
    return Json.object().put("name", "echo");
  }

  private ObjectNode worker(int id) {
    for (JsonNode w : pool.status().path("workers"))
      if (w.path("id").asInt() == id) return (ObjectNode) w;
    return null;
  }

  // --------------------------------------------------------------------------------- spares

  @Test
  void aReadySpareTakesADeadWorkersSlotBeforeAnyNewWorkerStarts() throws Exception {
    Pool p = pool(1, limits(1, 5, Duration.ofMinutes(1), 0));
    serve(p, 1);
    Fake first = workers.get(0);
    Fake spare = workers.get(1);
    spare.ready();
    assertEquals(2, workers.created.size());

    first.die(1);

    assertEquals(
        PoolState.SERVING, p.state(), "the spare serves at once: the pool is never degraded");
    assertEquals("serving", worker(spare.index()).path("role").asText());
    assertEquals(1, worker(spare.index()).path("slot").asInt());
    assertEquals(1, p.restarts());
    assertEquals(
        2,
        workers.created.size(),
        "the spare's replacement waits SPARE_REFILL_DELAY, so retries land on a quiet spare");
    await().atMost(WAIT).until(() -> workers.created.size() == 3);
    assertEquals("spare", worker(workers.get(2).index()).path("role").asText());
  }

  @Test
  void aCallGoesToTheSpareThatTookTheSlot() throws Exception {
    Pool p = pool(1, limits(1, 5, Duration.ofMinutes(1), 0));
    serve(p, 1);
    Fake spare = workers.get(1);
    spare.ready();
    workers.get(0).die(1);

    PoolCall call = p.submit("tools/call", params(), null);

    assertEquals(1, spare.waiting("tools/call"));
    spare.answer("tools/call", Json.object().put("ok", true));
    assertTrue(call.result().get(1, TimeUnit.SECONDS).path("ok").asBoolean());
  }

  // -------------------------------------------------------------------- restart and backoff

  @Test
  void theFirstDeathIsReplacedAtOnceAndTheNextWaitsABackoff() throws Exception {
    Pool p = pool(1, limits(0, 5, Duration.ofMinutes(1), 0));
    serve(p, 1);

    workers.get(0).die(1);
    assertEquals(2, workers.created.size(), "the first death is replaced at once");
    assertEquals(PoolState.DEGRADED, p.state());
    workers.get(1).ready();
    assertEquals(PoolState.SERVING, p.state());

    workers.get(1).die(1);
    assertEquals(
        2, workers.created.size(), "a second death in a row waits the backoff (100 ms and more)");
    await().atMost(WAIT).until(() -> workers.created.size() == 3);
    workers.get(2).ready();
    assertEquals(PoolState.SERVING, p.state());
    assertEquals(2, p.restarts());
  }

  @Test
  void moreThanMaxRestartsDeathsOpenThePoolAndCallsFailAtOnceWithTheCause() throws Exception {
    Pool p = pool(1, limits(0, 2, Duration.ofMinutes(1), 0));
    serve(p, 1);
    PoolCall queued = null;
    for (int death = 1; death <= 3; death++) {
      Fake w = workers.last();
      if (w.state() != dev.tandem.supervisor.worker.Worker.State.READY) w.ready();
      if (death == 3) queued = p.submit("tools/call", params(), null);
      w.die(1);
      if (death < 3)
        await().atMost(WAIT).until(() -> workers.created.size() > 0 && workers.last() != w);
    }

    assertEquals(PoolState.OPEN, p.state());
    Throwable refused = failureOf(p.submit("tools/call", params(), null));
    assertInstanceOf(PoolUnavailable.class, refused);
    assertTrue(
        refused.getMessage().contains("is open: its workers died 3 times"), refused.getMessage());
    assertTrue(
        refused.getMessage().contains("Traceback: boom"),
        "the last stderr lines say why: " + refused.getMessage());
    assertInstanceOf(
        WorkerDied.class, failureOf(queued), "the call on the dying worker fails with its death");
    int before = workers.created.size();
    assertFalse(
        workers.created.stream()
            .anyMatch(w -> w.state() != dev.tandem.supervisor.worker.Worker.State.DEAD),
        "an open pool keeps no worker");
    assertEquals(before, workers.created.size());
  }

  @Test
  void aHalfOpenPoolTriesOneWorkerAndAnAnsweredCallClosesIt() throws Exception {
    Pool p = pool(2, limits(1, 0, Duration.ofMillis(50), 0));
    serve(p, 2);
    workers.get(0).die(1);
    assertEquals(PoolState.OPEN, p.state());
    int before = workers.created.size();

    await()
        .atMost(WAIT)
        .until(() -> p.state() == PoolState.HALF_OPEN && workers.created.size() == before + 1);
    Fake probe = workers.last();
    probe.ready();
    PoolCall first = p.submit("tools/call", params(), null);
    PoolCall second = p.submit("tools/call", params(), null);
    assertEquals(1, probe.waiting("tools/call"), "half-open: one call at a time");

    probe.answer("tools/call", Json.object());
    first.result().get(1, TimeUnit.SECONDS);

    assertEquals(
        PoolState.DEGRADED, p.state(), "closed again: the second replica and the spare start");
    assertEquals(before + 3, workers.created.size());
    assertEquals(1, probe.waiting("tools/call"), "the queued call runs once the pool closed");
    probe.answer("tools/call", Json.object());
    second.result().get(1, TimeUnit.SECONDS);
  }

  @Test
  void aHalfOpenProbeThatDiesOpensThePoolAgain() throws Exception {
    Pool p = pool(1, limits(0, 0, Duration.ofMillis(50), 0));
    serve(p, 1);
    workers.get(0).die(1);
    await()
        .atMost(WAIT)
        .until(() -> p.state() == PoolState.HALF_OPEN && workers.created.size() == 2);

    workers.get(1).ready();
    workers.get(1).die(1);

    assertEquals(PoolState.OPEN, p.state());
    Throwable refused = failureOf(p.submit("tools/call", params(), null));
    assertTrue(refused.getMessage().contains("its probe worker died"), refused.getMessage());
  }

  // -------------------------------------------------------------------------------- recycling

  @Test
  void aWorkerIsRecycledAfterMaxCallsWhileTheSpareTakesItsSlot() throws Exception {
    Pool p = pool(1, limits(1, 5, Duration.ofMinutes(1), 2));
    serve(p, 1);
    Fake first = workers.get(0);
    Fake spare = workers.get(1);
    spare.ready();

    for (int i = 0; i < 2; i++) {
      PoolCall c = p.submit("tools/call", params(), null);
      first.answer("tools/call", Json.object());
      c.result().get(1, TimeUnit.SECONDS);
    }

    assertTrue(first.stopped(), "max_calls = 2 (+ up to 10%, rounded down) reached: retired");
    assertEquals(PoolCore.RETIRE_GRACE, first.stoppedWith);
    assertEquals("serving", worker(spare.index()).path("role").asText());
    assertEquals(0, p.restarts(), "a recycled worker is no death");
    assertEquals(PoolState.SERVING, p.state());
  }

  // ---------------------------------------------------------------------------------- reload

  @Test
  void aReloadProbesTheNewCodeThenReplacesOldWorkersOneByOne() throws Exception {
    Pool p = pool(2, limits(0, 5, Duration.ofMinutes(1), 0));
    serve(p, 2);
    Fake old1 = workers.get(0);
    Fake old2 = workers.get(1);
    PoolCall running = p.submit("tools/call", params(), null);
    Fake busy = old1.waiting("tools/call") == 1 ? old1 : old2;
    Fake idle = busy == old1 ? old2 : old1;
    workers.tools = List.of("echo", "shout");

    CompletableFuture<Reloaded> reload = p.reload();
    await().atMost(WAIT).until(() -> workers.created.size() == 3);
    Fake probe = workers.get(2);
    assertFalse(old1.stopped() || old2.stopped(), "nothing changes before the probe is ready");

    probe.ready();
    // The probe takes one old worker's slot, and one more new worker starts for the next.
    await().atMost(WAIT).until(() -> workers.created.size() == 4);
    assertEquals(1, replaced(old1) + replaced(old2), "one old worker at a time");
    workers.get(3).ready();
    assertTrue(idle.stopped());
    assertFalse(busy.stopped(), "a replaced worker finishes its calls first");
    assertFalse(reload.isDone() && reload.isCompletedExceptionally());

    busy.answer("tools/call", Json.object());
    running.result().get(1, TimeUnit.SECONDS);
    Reloaded done = reload.get(5, TimeUnit.SECONDS);
    assertTrue(busy.stopped());
    assertEquals(2, done.generation());
    assertEquals(2, p.offer().tools().size());
    assertEquals(2, pool.status().path("generation").asInt());
  }

  @Test
  void aReloadWhoseProbeDiesKeepsTheOldWorkers() throws Exception {
    Pool p = pool(1, limits(0, 5, Duration.ofMinutes(1), 0));
    serve(p, 1);
    Fake old = workers.get(0);

    CompletableFuture<Reloaded> reload = p.reload();
    await().atMost(WAIT).until(() -> workers.created.size() == 2);
    workers.get(1).die(1);

    Throwable failed = Failures.cause(reload.handle((r, f) -> f).get(5, TimeUnit.SECONDS));
    assertInstanceOf(ReloadFailed.class, failed);
    assertTrue(failed.getMessage().contains("was not reloaded"), failed.getMessage());
    assertFalse(old.stopped(), "the old worker keeps serving");
    assertEquals(
        0,
        p.restarts(),
        "a probe that does not start is the reload's error, not a death of the pool");
    assertEquals(PoolState.SERVING, p.state());
    assertEquals(1, p.status().path("generation").asInt());
    PoolCall call = p.submit("tools/call", params(), null);
    assertEquals(1, old.waiting("tools/call"));
  }

  /** 1 if the reload took the worker's slot: it stopped, or drains its calls first. */
  private int replaced(Fake w) {
    ObjectNode s = worker(w.index());
    return w.stopped() || (s != null && s.path("role").asText().equals("draining")) ? 1 : 0;
  }

  // -------------------------------------------------------------------------------- shutdown

  @Test
  void aStoppingPoolRefusesNewCallsAndStopsEveryWorker() throws Exception {
    Pool p = pool(2, limits(1, 5, Duration.ofMinutes(1), 0));
    serve(p, 2);

    p.shutdown(Duration.ofMillis(10)).get(1, TimeUnit.SECONDS);

    Throwable refused = failureOf(p.submit("tools/call", params(), null));
    assertTrue(
        refused.getMessage().contains("is shutting down and takes no new calls"),
        refused.getMessage());
    assertTrue(workers.created.stream().filter(w -> w.pid() > 0).allMatch(Fake::stopped));
    assertEquals(0, p.restarts());
  }

  @Test
  void aSpawnThatFailsWhileThePoolStopsIsNoDeath() throws Exception {
    Pool p = pool(1, limits(1, 0, Duration.ofMinutes(1), 0));
    serve(p, 1);
    Fake spare = workers.get(1);

    p.shutdown(Duration.ofMillis(10));
    spare.failSpawn("no such program");

    assertEquals(0, p.restarts(), "no death counted");
    assertEquals(PoolState.STOPPING, p.state(), "max_restarts = 0 would have opened it");
    assertEquals(2, workers.created.size(), "nothing is started to replace it");
  }

  // ---------------------------------------------------------------------------- stuck threads

  @Test
  void aWorkerWhoseToolThreadsStayStuckIsReplacedAndItsCallsFailWithTheReason() throws Exception {
    Supervision fastChecks =
        new Supervision(
            4,
            8,
            Duration.ofMinutes(1),
            Duration.ofMinutes(1),
            Duration.ofMillis(10),
            Duration.ofSeconds(10),
            5,
            Duration.ofMinutes(1),
            Duration.ofMinutes(1),
            1,
            0,
            0);
    Pool p = pool(1, fastChecks);
    CompletableFuture<Void> started = p.start();
    Fake first = workers.get(0);
    first.stats = true;
    first.ready();
    started.get(5, TimeUnit.SECONDS);
    Fake spare = workers.get(1);
    spare.ready();
    PoolCall held = p.submit("tools/call", params(), null);

    first.stuckForMs = 60_000;
    first.stuckThreads = 1;

    await().atMost(WAIT).until(() -> first.killedBecause != null);
    assertTrue(first.killedBecause.contains("Python cannot stop a thread"), first.killedBecause);
    assertInstanceOf(WorkerDied.class, failureOf(held));
    assertEquals("serving", worker(spare.index()).path("role").asText());
    assertEquals(0, p.restarts(), "a replaced stuck worker is no death");
    assertNotNull(p.status());
  }

  // ------------------------------------------------------------------------- health and load

  private static Supervision checkedEvery10ms(int spare, long maxRssMb) {
    return new Supervision(
        4,
        8,
        Duration.ofMinutes(1),
        Duration.ofMinutes(1),
        Duration.ofMillis(10),
        Duration.ofMillis(100),
        5,
        Duration.ofMinutes(1),
        Duration.ofMinutes(1),
        spare,
        0,
        maxRssMb);
  }

  @Test
  void aWorkerThatMissesAPingIsKilledAndReplaced() throws Exception {
    Pool p = pool(1, checkedEvery10ms(0, 0));
    serve(p, 1);
    Fake stopped = workers.get(0);

    stopped.silent = true;

    await().atMost(WAIT).until(() -> stopped.killedBecause != null);
    assertTrue(
        stopped.killedBecause.contains("did not answer a ping within 100 ms (ping_timeout_ms)"),
        stopped.killedBecause);
    // The kill is recorded before the fake's exit reaches the pool, on the timer's thread.
    await().atMost(WAIT).until(() -> workers.created.size() >= 2);
    assertEquals(2, workers.created.size(), "its exit is a death, replaced at once");
    assertEquals(1, p.restarts());
  }

  @Test
  void aWorkerOverMaxRssIsRecycledOnceItsCallsAreDone() throws Exception {
    Pool p = pool(1, checkedEvery10ms(1, 100));
    CompletableFuture<Void> started = p.start();
    Fake fat = workers.get(0);
    fat.stats = true;
    fat.ready();
    started.get(5, TimeUnit.SECONDS);
    workers.get(1).ready();
    PoolCall running = p.submit("tools/call", params(), null);

    fat.rssBytes = 200L << 20;

    await().atMost(WAIT).until(() -> "draining".equals(worker(fat.index()).path("role").asText()));
    assertFalse(fat.stopped(), "it finishes the call it holds");
    fat.answer("tools/call", Json.object());
    running.result().get(1, TimeUnit.SECONDS);
    assertTrue(fat.stopped());
    assertEquals(0, p.restarts());
  }

  // ------------------------------------------------------------------------------ the calls

  @Test
  void aCallPastMaxConcurrencyAndAFullQueueIsRefusedAsOverloaded() throws Exception {
    Supervision tight =
        new Supervision(
            1,
            1,
            Duration.ofMinutes(1),
            Duration.ofMinutes(1),
            Duration.ofHours(1),
            Duration.ofSeconds(10),
            5,
            Duration.ofMinutes(1),
            Duration.ofMinutes(1),
            0,
            0,
            0);
    Pool p = pool(1, tight);
    serve(p, 1);
    PoolCall running = p.submit("tools/call", params(), null);
    PoolCall queued = p.submit("tools/call", params(), null);

    Throwable refused = failureOf(p.submit("tools/call", params(), null));

    assertInstanceOf(PoolUnavailable.class, refused);
    assertEquals(1, p.refused());
    assertEquals(1, p.queueDepth());
    workers.get(0).answer("tools/call", Json.object());
    running.result().get(1, TimeUnit.SECONDS);
    assertEquals(
        1,
        workers.get(0).waiting("tools/call"),
        "the queued call is handed on when the first ends");
    workers.get(0).answer("tools/call", Json.object());
    queued.result().get(1, TimeUnit.SECONDS);
  }

  @Test
  void aCancelledQueuedCallLeavesTheQueueAndARunningOneIsCancelledOnItsWorker() throws Exception {
    Supervision one =
        new Supervision(
            1,
            4,
            Duration.ofMinutes(1),
            Duration.ofMinutes(1),
            Duration.ofHours(1),
            Duration.ofSeconds(10),
            5,
            Duration.ofMinutes(1),
            Duration.ofMinutes(1),
            0,
            0,
            0);
    Pool p = pool(1, one);
    serve(p, 1);
    Fake w = workers.get(0);
    PoolCall running = p.submit("tools/call", params(), null);
    PoolCall queued = p.submit("tools/call", params(), null);

    queued.cancel("the host gave up");
    assertTrue(queued.result().isCancelled());
    assertEquals(0, p.queueDepth());

    running.cancel("the host gave up");
    assertEquals(List.of("tools/call"), w.cancelled, "the worker is told to stop it");
    await().atMost(WAIT).until(() -> running.result().isDone());
    assertTrue(running.result().isCancelled());
    assertEquals(0, p.inFlight());
  }

  // ------------------------------------------------------------------------- start and reload

  @Test
  void aWorkerThatDiesDuringTheFirstStartFailsItAndNothingIsRestarted() {
    Pool p = pool(2, limits(1, 5, Duration.ofMinutes(1), 0));
    CompletableFuture<Void> started = p.start();
    workers.get(0).ready();

    workers.get(1).die(1);

    Throwable failed = Failures.cause(started.handle((r, f) -> f).join());
    assertInstanceOf(PoolStartFailed.class, failed);
    assertTrue(failed.getMessage().contains("pool \"p\" could not start"), failed.getMessage());
    assertEquals(
        2, workers.created.size(), "a pool that cannot start is a config error, not retried");
    assertEquals(PoolState.STARTING, p.state());
  }

  @Test
  void aReloadOfAnOpenPoolWhoseNewCodeStartsClosesIt() throws Exception {
    Pool p = pool(1, limits(0, 0, Duration.ofMinutes(1), 0));
    serve(p, 1);
    workers.get(0).die(1);
    assertEquals(PoolState.OPEN, p.state());

    CompletableFuture<Reloaded> reload = p.reload();
    await().atMost(WAIT).until(() -> workers.created.size() == 2);
    workers.get(1).ready();

    reload.get(5, TimeUnit.SECONDS);
    assertEquals(
        PoolState.SERVING,
        p.state(),
        "the fixed code serves at once, without waiting half_open_after");
    PoolCall call = p.submit("tools/call", params(), null);
    assertEquals(1, workers.get(1).waiting("tools/call"));
  }
}
