package dev.tandem.supervisor.transport.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class SerialExecutorTest {

  @Test
  void runsTasksInSubmissionOrderOnTheSubmittingThread() {
    SerialExecutor serial = new SerialExecutor();
    List<Integer> seen = new ArrayList<>();
    List<Thread> threads = new ArrayList<>();
    for (int i = 0; i < 1000; i++) {
      int n = i;
      serial.execute(
          () -> {
            seen.add(n);
            threads.add(Thread.currentThread());
          });
    }
    assertEquals(IntStream.range(0, 1000).boxed().toList(), seen);
    assertTrue(
        threads.stream().allMatch(t -> t == Thread.currentThread()),
        "no thread is handed the work");
  }

  @Test
  void aTaskSubmittedByATaskRunsAfterIt() {
    SerialExecutor serial = new SerialExecutor();
    List<String> seen = new ArrayList<>();
    serial.execute(
        () -> {
          serial.execute(() -> seen.add("inner"));
          seen.add("outer");
        });
    assertEquals(List.of("outer", "inner"), seen);
  }

  @Test
  void tasksFromManyThreadsNeverOverlap() throws Exception {
    SerialExecutor serial = new SerialExecutor();
    ExecutorService pool = Executors.newFixedThreadPool(4);
    AtomicInteger running = new AtomicInteger();
    List<Integer> overlaps = new CopyOnWriteArrayList<>();
    CountDownLatch done = new CountDownLatch(4000);
    for (int i = 0; i < 4000; i++) {
      pool.execute(
          () ->
              serial.execute(
                  () -> {
                    if (running.incrementAndGet() != 1) overlaps.add(1);
                    Thread.onSpinWait();
                    running.decrementAndGet();
                    done.countDown();
                  }));
    }
    assertTrue(done.await(10, TimeUnit.SECONDS));
    assertEquals(List.of(), overlaps);
    pool.shutdown();
  }
}
