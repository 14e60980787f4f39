package dev.tandem.supervisor.router;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class DeadlinesTest {

  /** Counts the checks armed: the point of Deadlines is one per lane, not one per call. */
  private final AtomicInteger armed = new AtomicInteger();

  private final ScheduledThreadPoolExecutor timer =
      new ScheduledThreadPoolExecutor(1) {
        @Override
        public ScheduledFuture<?> schedule(Runnable command, long delay, TimeUnit unit) {
          armed.incrementAndGet();
          return super.schedule(command, delay, unit);
        }
      };
  private final Deadlines deadlines = new Deadlines(timer);

  @AfterEach
  void stop() {
    timer.shutdownNow();
  }

  private static final class Named extends Deadlines.Entry {
    final String name;
    final List<String> log;
    final CountDownLatch done;

    Named(String name, List<String> log, CountDownLatch done) {
      this.name = name;
      this.log = log;
      this.done = done;
    }

    @Override
    void expire() {
      log.add(name);
      done.countDown();
    }
  }

  @Test
  void entriesExpireInOrderAfterTheirTimeoutAndCancelledOnesNever() throws Exception {
    List<String> expired = new CopyOnWriteArrayList<>();
    CountDownLatch done = new CountDownLatch(3);
    long t0 = System.nanoTime();
    Named a = new Named("a", expired, done);
    Named b = new Named("b", expired, done);
    Named c = new Named("c", expired, done);
    Named d = new Named("d", expired, done);
    deadlines.add(a, TimeUnit.MILLISECONDS.toNanos(150));
    deadlines.add(b, TimeUnit.MILLISECONDS.toNanos(150));
    // Cancelled at once: on a loaded machine the gap below may outlast b's 150 ms.
    deadlines.cancel(b);
    deadlines.cancel(b); // twice is harmless
    Thread.sleep(60); // a gap, so c and d expire after their own timeout and not a's
    deadlines.add(c, TimeUnit.MILLISECONDS.toNanos(150));
    deadlines.add(d, TimeUnit.MILLISECONDS.toNanos(150));
    assertTrue(done.await(5, TimeUnit.SECONDS));
    long elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
    // d was never cancelled: it expires too, after c.
    Thread.sleep(50);
    assertEquals(List.of("a", "c", "d"), expired);
    assertTrue(elapsedMs >= 210, "c expired after its own timeout, not a's: " + elapsedMs + " ms");
    assertEquals(0, deadlines.size());
  }

  @Test
  void callsAnsweredWhileACheckIsArmedArmNoTimerOfTheirOwn() throws Exception {
    long timeout = TimeUnit.SECONDS.toNanos(30);
    for (int i = 0; i < 10_000; i++) {
      Named e = new Named("x", new CopyOnWriteArrayList<>(), new CountDownLatch(1));
      deadlines.add(e, timeout);
      deadlines.cancel(e);
    }
    assertEquals(1, armed.get(), "one check for the lane, however many calls");
    assertEquals(0, deadlines.size(), "answered calls leave nothing behind");
  }

  @Test
  void eachTimeoutValueHasItsOwnLaneAndAShortOneIsNotHeldBackByALongOne() throws Exception {
    List<String> expired = new CopyOnWriteArrayList<>();
    CountDownLatch done = new CountDownLatch(1);
    deadlines.add(new Named("long", expired, new CountDownLatch(1)), TimeUnit.SECONDS.toNanos(60));
    deadlines.add(new Named("short", expired, done), TimeUnit.MILLISECONDS.toNanos(50));
    assertTrue(done.await(5, TimeUnit.SECONDS));
    assertEquals(List.of("short"), expired);
    assertEquals(1, deadlines.size());
  }

  @Test
  void aLaneThatEmptiedIsArmedAgainByTheNextCall() throws Exception {
    List<String> expired = new CopyOnWriteArrayList<>();
    CountDownLatch first = new CountDownLatch(1);
    deadlines.add(new Named("first", expired, first), TimeUnit.MILLISECONDS.toNanos(30));
    assertTrue(first.await(5, TimeUnit.SECONDS));
    CountDownLatch second = new CountDownLatch(1);
    deadlines.add(new Named("second", expired, second), TimeUnit.MILLISECONDS.toNanos(30));
    assertTrue(second.await(5, TimeUnit.SECONDS));
    assertEquals(List.of("first", "second"), expired);
  }
}
