package dev.tandem.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * 5,000 calls at once against 2 workers of 8 calls each: what fits runs or waits in the bounded
 * queue, the rest is refused at once with a clear error. Every call gets exactly one answer and the
 * daemon's memory stays bounded.
 */
class OverloadFloodTest {

  static final int CALLS = 5_000;
  static final long RSS_LIMIT = 512L << 20;

  @Test
  void floodOfFiveThousandCallsIsServedOrRefusedWithBoundedMemory(@TempDir Path dir)
      throws Exception {
    Path config =
        Tandem.config(
            dir,
            Tandem.examplesPool("examples", 2)
                + """
        spare = 0
        max_concurrency = 8
        queue = 100
        """);
    try (DaemonProcess daemon = DaemonProcess.serve(config)) {
      daemon.initialize();
      Answers answers = new Answers(daemon);
      long pid = daemon.process().pid();
      ByteArrayOutputStream flood = new ByteArrayOutputStream();
      List<String> ids = new ArrayList<>();
      for (int i = 0; i < CALLS; i++) {
        String id = "f" + i;
        ids.add(id);
        String line =
            DaemonProcess.JSON.writeValueAsString(
                Answers.toolCall(id, "sleep", Answers.args().put("seconds", 0.5)));
        flood.write((line + "\n").getBytes(StandardCharsets.UTF_8));
      }
      AtomicLong maxRss = new AtomicLong(Answers.rssBytes(pid));
      Thread sampler =
          new Thread(
              () -> {
                while (!Thread.currentThread().isInterrupted()) {
                  maxRss.accumulateAndGet(Answers.rssBytes(pid), Math::max);
                  try {
                    Thread.sleep(50); // a sampling period, not a wait for a condition
                  } catch (InterruptedException e) {
                    return;
                  }
                }
              });
      sampler.start();
      long t0 = System.nanoTime();
      daemon.sendRaw(flood.toByteArray());
      answers.awaitAll(ids, Duration.ofSeconds(120));
      long ms = (System.nanoTime() - t0) / 1_000_000;
      sampler.interrupt();

      int served = 0;
      int refused = 0;
      for (String id : ids) {
        List<JsonNode> all = answers.all(id);
        assertEquals(1, all.size(), "exactly one answer to " + id + ": " + all);
        JsonNode a = all.get(0);
        if (!Answers.isError(a)) {
          assertEquals("slept 0.5s", Answers.text(a));
          served++;
        } else {
          String text = Answers.text(a);
          assertTrue(
              text.startsWith("tool \"sleep\" is unavailable: pool \"examples\" is overloaded: "),
              text);
          assertTrue(text.contains("max_concurrency = 8") && text.contains("(queue = 100)"), text);
          refused++;
        }
      }
      assertEquals(CALLS, served + refused);
      assertTrue(served >= 2 * 8 + 100, "at least what fits was served: " + served);
      assertTrue(refused > 0, "the excess was refused");
      JsonNode pool = answers.pool("examples");
      assertEquals(refused, pool.path("refused").asInt(), pool.toString());
      assertEquals(0, pool.path("queueDepth").asInt());
      assertTrue(maxRss.get() < RSS_LIMIT, "daemon RSS peaked at " + (maxRss.get() >> 20) + " MiB");
      System.out.printf(
          "flood: %d calls in %d ms: %d served, %d refused as overloaded; daemon RSS peak %d MiB%n",
          CALLS, ms, served, refused, maxRss.get() >> 20);
    }
  }
}
