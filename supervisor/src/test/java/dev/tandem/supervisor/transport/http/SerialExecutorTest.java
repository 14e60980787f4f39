package dev.tandem.supervisor.transport.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class SerialExecutorTest {

  @Test
  void runsASessionsMessagesInArrivalOrderOnAnyPool() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(4);
    SerialExecutor serial = new SerialExecutor(pool);
    List<Integer> seen = new CopyOnWriteArrayList<>();
    CountDownLatch done = new CountDownLatch(1000);
    for (int i = 0; i < 1000; i++) {
      int n = i;
      serial.execute(() -> {
        seen.add(n);
        done.countDown();
      });
    }
    done.await(10, TimeUnit.SECONDS);
    assertEquals(IntStream.range(0, 1000).boxed().toList(), seen);
    pool.shutdown();
  }
}
