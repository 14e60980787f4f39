package dev.tandem.supervisor.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tandem.protocol.FrameBuffer;
import dev.tandem.protocol.Turn;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntConsumer;
import org.junit.jupiter.api.Test;

class StdinWriterTest {

  /**
   * A pipe end that records what reached it and how many writes it took. A stopped one is a pipe
   * whose reader stopped: it takes {@code capacity} bytes, then a write blocks until released.
   */
  private static final class Sink extends OutputStream {
    final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    final AtomicInteger flushes = new AtomicInteger();
    final CountDownLatch released;
    final int capacity;
    volatile Thread lastWriter;
    volatile boolean closed;

    /** Told the byte count after each write: a worker reading (and answering) what arrives. */
    volatile IntConsumer onWrite = n -> {};

    /** Counted down when a write begins. */
    final CountDownLatch entered = new CountDownLatch(1);

    Sink(boolean stopped) {
      this(stopped, 0);
    }

    Sink(boolean stopped, int capacity) {
      this.released = new CountDownLatch(stopped ? 1 : 0);
      this.capacity = capacity;
    }

    @Override
    public void write(int b) {
      write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) {
      entered.countDown();
      int size;
      synchronized (bytes) {
        size = bytes.size();
      }
      if (size + len > capacity) {
        try {
          released.await();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      lastWriter = Thread.currentThread();
      int now;
      synchronized (bytes) {
        bytes.write(b, off, len);
        now = bytes.size();
      }
      onWrite.accept(now);
    }

    @Override
    public void flush() {
      flushes.incrementAndGet();
    }

    @Override
    public void close() {
      closed = true;
    }

    String text() {
      synchronized (bytes) {
        return bytes.toString(StandardCharsets.UTF_8);
      }
    }
  }

  private static FrameBuffer frame(String s) {
    FrameBuffer b = new FrameBuffer(64);
    byte[] bytes = (s + "\n").getBytes(StandardCharsets.UTF_8);
    b.write(bytes, 0, bytes.length);
    return b;
  }

  private static Thread start(StdinWriter w) {
    Thread t = new Thread(w::run, "test-stdin");
    t.setDaemon(true);
    t.start();
    return t;
  }

  @Test
  void aWriteThatCannotBlockIsMadeByTheSenderItself() {
    Sink sink = new Sink(false);
    StdinWriter w = new StdinWriter(100, e -> {});
    w.attach(sink);
    start(w);
    w.send(frame("one"), null);
    assertEquals("one\n", sink.text(), "written before send returned");
    assertEquals(Thread.currentThread(), sink.lastWriter);
  }

  @Test
  void aWorkerThatStopsReadingNeverBlocksTheSenderAndOrderIsKept() throws Exception {
    Sink sink = new Sink(true, 100);
    StdinWriter w = new StdinWriter(100, e -> {});
    w.attach(sink);
    Thread writer = start(w);
    StringBuilder expected = new StringBuilder();
    long t0 = System.nanoTime();
    for (int i = 0; i < 1000; i++) {
      w.send(frame("frame " + i), null);
      expected.append("frame ").append(i).append('\n');
    }
    assertTrue(
        System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(5),
        "sends returned while the worker did not read");
    assertTrue(sink.text().length() <= 100, "no more than the pipe holds: " + sink.text().length());
    sink.released.countDown();
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (sink.text().length() < expected.length() && System.nanoTime() < until) Thread.sleep(5);
    assertEquals(expected.toString(), sink.text());
    assertEquals(writer, sink.lastWriter, "past the limit, only the link's thread writes");
  }

  @Test
  void answersLetTheSenderWriteAgain() throws Exception {
    Sink sink = new Sink(false);
    StdinWriter w = new StdinWriter(10, e -> {});
    w.attach(sink);
    Thread writer = start(w);
    WorkerCall call = new WorkerCall(null, 1, "tools/call", null);
    w.send(frame("0123456789"), call); // 11 bytes: over the limit with nothing proven read
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (sink.text().isEmpty() && System.nanoTime() < until) Thread.sleep(5);
    assertEquals(writer, sink.lastWriter);
    assertEquals(11, call.sentThrough);
    w.readThrough(call.sentThrough); // the worker answered it
    w.send(frame("abc"), null);
    assertEquals("0123456789\nabc\n", sink.text());
    assertEquals(Thread.currentThread(), sink.lastWriter);
  }

  @Test
  void framesSentDuringATurnGoOutInOneWriteAtItsEnd() {
    Sink sink = new Sink(false);
    StdinWriter w = new StdinWriter(4096, e -> {});
    w.attach(sink);
    start(w);
    Turn turn = Turn.begin();
    try {
      w.send(frame("a"), null);
      w.send(frame("b"), null);
      w.send(frame("c"), null);
      assertEquals("", sink.text());
      turn.end();
      assertEquals("a\nb\nc\n", sink.text());
      assertEquals(1, sink.flushes.get());
    } finally {
      turn.close();
    }
  }

  @Test
  void framesSentBeforeTheProcessExistsGoFirst() throws Exception {
    Sink sink = new Sink(false);
    StdinWriter w = new StdinWriter(4096, e -> {});
    w.send(frame("early"), null);
    w.attach(sink);
    start(w);
    w.send(frame("late"), null);
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (sink.text().length() < 11 && System.nanoTime() < until) Thread.sleep(5);
    assertEquals("early\nlate\n", sink.text());
  }

  @Test
  void closeWritesWhatWasSentThenClosesAndLaterFramesAreDropped() throws Exception {
    Sink sink = new Sink(false);
    StdinWriter w = new StdinWriter(0, e -> {}); // nothing inline: every frame waits for the thread
    w.attach(sink);
    w.send(frame("queued"), null);
    w.close(false);
    w.send(frame("after"), null);
    Thread writer = start(w);
    writer.join(10_000);
    assertEquals("queued\n", sink.text());
    assertTrue(sink.closed);
  }

  @Test
  void closeDroppingPendingFramesClosesAtOnce() throws Exception {
    Sink sink = new Sink(false);
    StdinWriter w = new StdinWriter(0, e -> {}); // nothing inline: every frame waits for the thread
    w.attach(sink);
    Turn turn = Turn.begin();
    try {
      w.send(frame("never"), null);
      w.close(true);
    } finally {
      turn.close();
    }
    Thread writer = start(w);
    writer.join(10_000);
    assertEquals("", sink.text());
    assertTrue(sink.closed);
  }

  @Test
  void aBrokenPipeIsReportedOnceAndLaterFramesAreDropped() {
    AtomicInteger reported = new AtomicInteger();
    StdinWriter w = new StdinWriter(4096, e -> reported.incrementAndGet());
    w.attach(
        new OutputStream() {
          @Override
          public void write(int b) throws IOException {
            throw new IOException("Broken pipe");
          }
        });
    w.send(frame("x"), null);
    w.send(frame("y"), null);
    assertEquals(1, reported.get());
  }

  @Test
  void aSenderNeverWaitsForTheWriteOfAnother() throws Exception {
    Sink sink = new Sink(true, 0); // the first write stalls in the "system call" until released
    StdinWriter w = new StdinWriter(4096, e -> {});
    w.attach(sink);
    start(w);
    ExecutorService senders = Executors.newFixedThreadPool(2);
    try {
      CountDownLatch firstSent = new CountDownLatch(1);
      Future<Thread> first =
          senders.submit(
              () -> {
                firstSent.countDown();
                w.send(frame("one"), null);
                return Thread.currentThread();
              });
      firstSent.await();
      assertTrue(sink.entered.await(10, TimeUnit.SECONDS), "the first sender is writing");
      Future<?> second = senders.submit(() -> w.send(frame("two"), null));
      second.get(10, TimeUnit.SECONDS); // blocked on the first's write before the token
      assertEquals("", sink.text());
      sink.released.countDown();
      Thread firstThread = first.get(10, TimeUnit.SECONDS);
      assertEquals("one\ntwo\n", sink.text());
      assertEquals(firstThread, sink.lastWriter, "the holder wrote the frame left to it");
    } finally {
      sink.released.countDown();
      senders.shutdownNow();
    }
  }

  @Test
  void concurrentSendersKeepEachOnesOrderAndLoseNothing() throws Exception {
    Sink sink = new Sink(false, Integer.MAX_VALUE);
    StdinWriter w = new StdinWriter(512, e -> {});
    // A worker that answers all it reads: senders go inline while it keeps up, hand off when not.
    sink.onWrite = w::readThrough;
    w.attach(sink);
    start(w);
    String expected = sendConcurrently(w, 4, 2000, null);
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (sink.text().length() < expected.length() && System.nanoTime() < until) Thread.sleep(5);
    assertInOrderPerSender(sink.text(), 4, 2000);
  }

  @Test
  void concurrentSendersToAStoppedReaderNeverBlockAndKeepOrder() throws Exception {
    Sink sink = new Sink(true, 100);
    StdinWriter w = new StdinWriter(100, e -> {});
    w.attach(sink);
    Thread writer = start(w);
    String expected = sendConcurrently(w, 4, 500, sink.released);
    assertTrue(sink.text().length() <= 100, "no more than the pipe holds: " + sink.text().length());
    sink.released.countDown();
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (sink.text().length() < expected.length() && System.nanoTime() < until) Thread.sleep(5);
    assertInOrderPerSender(sink.text(), 4, 500);
    assertEquals(writer, sink.lastWriter, "past the limit, only the link's thread writes");
  }

  /**
   * Sends {@code each} frames from each of {@code threads} threads and waits for every send to
   * return (failing if one blocks while {@code stillStopped} is not released); answers all the
   * frames' text, in no particular order.
   */
  private static String sendConcurrently(
      StdinWriter w, int threads, int each, CountDownLatch stillStopped) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      CountDownLatch go = new CountDownLatch(1);
      List<Future<?>> done = new ArrayList<>();
      StringBuilder all = new StringBuilder();
      for (int t = 0; t < threads; t++) {
        int id = t;
        done.add(
            pool.submit(
                () -> {
                  go.await();
                  for (int i = 0; i < each; i++) w.send(frame("s" + id + " " + i), null);
                  return null;
                }));
        for (int i = 0; i < each; i++)
          all.append("s").append(id).append(' ').append(i).append('\n');
      }
      go.countDown();
      for (Future<?> f : done) f.get(10, TimeUnit.SECONDS);
      if (stillStopped != null) assertEquals(1, stillStopped.getCount(), "sent while stopped");
      return all.toString();
    } finally {
      pool.shutdownNow();
    }
  }

  private static void assertInOrderPerSender(String text, int threads, int each) {
    int[] next = new int[threads];
    for (String line : text.split("\n")) {
      String[] parts = line.split(" ");
      int id = Integer.parseInt(parts[0].substring(1));
      assertEquals(next[id], Integer.parseInt(parts[1]), "sender " + id + "'s frames in order");
      next[id]++;
    }
    for (int t = 0; t < threads; t++)
      assertEquals(each, next[t], "all of sender " + t + "'s frames");
  }
}
