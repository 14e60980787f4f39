package dev.tandem.it;

import static dev.tandem.it.ChaosTally.error;
import static dev.tandem.it.ChaosTally.result;
import static dev.tandem.it.ChaosTally.rpcError;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Faults on the host's side of stdio: a stalled reader, reused ids, bad frames, a flood, SIGTERM.
 */
final class ChaosHostFaults {

  private ChaosHostFaults() {}

  static final Duration DEADLINE = Duration.ofSeconds(60);

  /**
   * A host that stops reading tandem's stdout for several ping timeouts while it has 200 calls of 4
   * KiB answers outstanding: every answer arrives once, no healthy worker is killed.
   */
  static ChaosRow hostStopsReading(ChaosScenario s, Path dir) throws Exception {
    int interval = 200, timeout = 600;
    try (ChaosStdio run =
        ChaosStdio.start(
            dir,
            "",
            "replicas = 2\nspare = 1\nping_interval_ms = %d\nping_timeout_ms = %d"
                .formatted(interval, timeout),
            "")) {
      run.awaitReady(3);
      String text = "x".repeat(4096);
      List<String> ids = new ArrayList<>();
      for (int i = 0; i < 200; i++) {
        ids.add("echo-" + i);
        run.tally.expect("echo-" + i, "the 4 KiB text back", result(text));
      }
      run.daemon.stopReading();
      // A host writes on its own thread: once tandem stops reading its requests, this one blocks.
      Thread sender =
          Thread.ofPlatform()
              .name("chaos-host-sender")
              .start(
                  () -> {
                    try {
                      for (String id : ids)
                        run.ledger.send(id, "echo", Answers.args().put("text", text));
                    } catch (Exception e) {
                      throw new RuntimeException(e);
                    }
                  });
      try {
        Thread.sleep(5L * (interval + timeout)); // the stall itself: several ping timeouts unread
      } finally {
        run.daemon.resumeReading();
      }
      sender.join(DEADLINE);
      run.ledger.awaitAll(ids, DEADLINE);
      JsonNode pool = run.ledger.pool(ChaosStdio.POOL);
      return run.finish(
          s.name(),
          "stalled %d ms; restarts %d, refused %d"
              .formatted(
                  5 * (interval + timeout),
                  pool.path("restarts").asInt(),
                  pool.path("refused").asInt()));
    }
  }

  /**
   * 20 ids each sent twice while the first is in flight: the first runs, the second is refused with
   * -32600 before dispatch, and its tool never runs (the marks file says which ran).
   */
  static ChaosRow duplicateIds(ChaosScenario s, Path dir) throws Exception {
    try (ChaosStdio run = ChaosStdio.start(dir, "", "replicas = 1\nspare = 0", "")) {
      run.awaitReady(1);
      List<String> ids = new ArrayList<>();
      for (int i = 0; i < 20; i++) {
        String id = "dup-" + i;
        run.ledger.send(id, "mark", Answers.args().put("key", id + "-first").put("seconds", 0.5));
        run.ledger.send(id, "mark", Answers.args().put("key", id + "-second").put("seconds", 0.0));
        ids.add(id);
      }
      run.ledger.awaitAll(ids, DEADLINE);
      // Checked after the daemon exits, when every tool that was going to run has run.
      Path marks = run.dir.resolve("marks");
      for (String id : ids) {
        run.tally.expect(
            id,
            "\"marked " + id + "-first\" and a -32600 'already in flight' whose tool never ran",
            new ChaosTally.Check() {
              public int requests() {
                return 2;
              }

              public int correct(List<JsonNode> answers) {
                List<String> ran = ranMarks(marks);
                int right = 0;
                if (answers.stream().anyMatch(result("marked " + id + "-first"))) right++;
                if (answers.stream().anyMatch(rpcError(-32600, "already in flight"))
                    && !ran.contains(id + "-second")) right++;
                if (ran.stream().filter((id + "-first")::equals).count() != 1) right = 0;
                return right;
              }
            });
      }
      return run.finish(s.name(), "40 requests on 20 ids");
    }
  }

  private static List<String> ranMarks(Path marks) {
    try {
      return Files.exists(marks) ? Files.readAllLines(marks) : List.of();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /**
   * Frames over max_frame_bytes and arguments nested too deep (deeper than Jackson's 1,000 and just
   * under it, deeper than Python's json), between good calls: each bad one answered at once, with
   * its own id and an error that says what was wrong; every good one served.
   */
  static ChaosRow badFrames(ChaosScenario s, Path dir) throws Exception {
    try (ChaosStdio run =
        ChaosStdio.start(
            dir, "[server]\nmax_frame_bytes = 8192\n", "replicas = 1\nspare = 0", "")) {
      run.awaitReady(1);
      List<String> ids = new ArrayList<>();
      for (int i = 0; i < 10; i++) {
        String big = "big-" + i, deep = "deep-" + i, under = "deep990-" + i, good = "good-" + i;
        run.daemon.sendLine(callLine(big, "{\"text\":\"" + "x".repeat(10_000) + "\"}"));
        run.tally.expect(big, "-32600 naming the 8192-byte limit", rpcError(-32600, "8192"));
        run.daemon.sendLine(
            callLine(
                deep,
                "{\"text\":\"deep\",\"nested\":" + "[".repeat(1200) + "]".repeat(1200) + "}"));
        run.tally.expect(
            deep,
            "-32700 saying the nesting is too deep",
            a ->
                a.path("error").path("code").asInt() == -32700
                    && a.path("error").path("message").asText().toLowerCase().contains("depth"));
        run.daemon.sendLine(
            callLine(
                under, "{\"text\":\"deep\",\"nested\":" + "[".repeat(990) + "]".repeat(990) + "}"));
        run.tally.expect(
            under,
            "an error saying the nesting is too deep",
            a ->
                Answers.isError(a)
                    && Answers.text(a).toLowerCase().matches("(?s).*(deep|depth|nest).*"));
        String bigResult = "big-result-" + i;
        run.ledger.send(bigResult, "big", Answers.args().put("size", 20_000));
        run.tally.expect(
            bigResult,
            "an error naming the 8,192-byte limit",
            error("over the 8,192-byte limit of one message"));
        ids.add(bigResult);
        run.ledger.send(good, "echo", Answers.args().put("text", "good " + i));
        run.tally.expect(good, "\"good " + i + "\"", result("good " + i));
        ids.addAll(List.of(big, deep, under, good));
      }
      run.ledger.awaitAll(ids, DEADLINE);
      return run.finish(
          s.name(), "10 each: 10 KB frame, depth 1200, depth 990, 20 KB result, good call");
    }
  }

  /**
   * A lone surrogate in the arguments, with traces on (issue 17 item 6): the trace writer may drop
   * the record, never the call; the text comes back as sent. 5 plain calls show traces were on.
   */
  static ChaosRow loneSurrogateWithTraces(ChaosScenario s, Path dir) throws Exception {
    // The pool's own TANDEM_TRACE_DIR wins over the one make chaos gives the daemon.
    String traces = ", TANDEM_TRACE_DIR = \"%s\"".formatted(dir.resolve("traces"));
    try (ChaosStdio run = ChaosStdio.start(dir, "", "replicas = 1\nspare = 0", "", traces)) {
      run.awaitReady(1);
      List<String> ids = new ArrayList<>();
      for (int i = 0; i < 20; i++) {
        String id = "surrogate-" + i;
        // Written as a JSON escape: the text is not valid UTF-16, so no encoder would produce it.
        run.daemon.sendLine(callLine(id, "{\"text\":\"lone \\ud800 " + i + "\"}"));
        run.tally.expect(id, "the text back, lone surrogate and all", result("lone \ud800 " + i));
        ids.add(id);
      }
      for (int i = 0; i < 5; i++) {
        String id = "plain-" + i;
        run.ledger.send(id, "echo", Answers.args().put("text", "plain " + i));
        run.tally.expect(id, "\"plain " + i + "\"", result("plain " + i));
        ids.add(id);
      }
      run.ledger.awaitAll(ids, DEADLINE);
      ChaosRow row = run.finish(s.name(), "");
      long records = 0;
      if (Files.isDirectory(dir.resolve("traces"))) {
        try (var files = Files.walk(dir.resolve("traces"))) {
          for (Path f : files.filter(Files::isRegularFile).toList())
            records += Files.readAllLines(f).size();
        }
      }
      return row.withNote(
          "trace records written: %d of 25 (the 20 with a surrogate are dropped)"
              .formatted(records));
    }
  }

  private static String callLine(String id, String arguments) {
    return "{\"jsonrpc\":\"2.0\",\"id\":\""
        + id
        + "\",\"method\":\"tools/call\",\"params\":{\"name\":\"echo\",\"arguments\":"
        + arguments
        + "}}";
  }

  /**
   * 10,000 calls written at once against 2 workers on the default limits (64 calls each, a queue of
   * 256): each served or refused at once as overloaded, and answered once.
   */
  static ChaosRow flood(ChaosScenario s, Path dir) throws Exception {
    try (ChaosStdio run = ChaosStdio.start(dir, "", "replicas = 2\nspare = 0", "")) {
      run.awaitReady(2);
      ByteArrayOutputStream flood = new ByteArrayOutputStream();
      List<String> ids = new ArrayList<>();
      for (int i = 0; i < 10_000; i++) {
        String id = "f-" + i;
        ids.add(id);
        flood.write(
            (DaemonProcess.JSON.writeValueAsString(
                        Answers.toolCall(id, "echo", Answers.args().put("text", id)))
                    + "\n")
                .getBytes(StandardCharsets.UTF_8));
        run.tally.expect(
            id,
            "\"" + id + "\" or refused as overloaded",
            result(id).or(error("tool \"echo\" is unavailable: pool \"chaos\" is overloaded")));
      }
      long t0 = System.nanoTime();
      run.daemon.sendRaw(flood.toByteArray());
      run.ledger.awaitAll(ids, Duration.ofSeconds(120));
      long ms = (System.nanoTime() - t0) / 1_000_000;
      JsonNode pool = run.ledger.pool(ChaosStdio.POOL);
      return run.finish(
          s.name(),
          "answered in %d ms, %d refused as overloaded"
              .formatted(ms, pool.path("refused").asInt()));
    }
  }

  /**
   * kill -9 of the daemon itself once 10 calls are served: no answer can come after that, but no
   * worker may outlive it (PR_SET_PDEATHSIG), which is what the leaked column counts.
   */
  static ChaosRow daemonKillNine(ChaosScenario s, Path dir) throws Exception {
    try (ChaosStdio run = ChaosStdio.start(dir, "", "replicas = 2\nspare = 1", "")) {
      run.awaitReady(3);
      List<String> ids = new ArrayList<>();
      for (int i = 0; i < 10; i++) {
        run.ledger.send("nap-" + i, "nap", Answers.args().put("seconds", 0.1));
        run.tally.expect("nap-" + i, "\"napped 0.1\"", result("napped 0.1"));
        ids.add("nap-" + i);
      }
      run.ledger.awaitAll(ids, DEADLINE);
      Answers.signal(run.daemon.process().pid(), "KILL");
      return run.finish(s.name(), "3 workers when the daemon was killed");
    }
  }

  static final String SHUTTING_DOWN =
      "tool \"nap\" is unavailable: tandem is shutting down: the call did not finish "
          + "within shutdown_grace_ms = 2500 ms and was cancelled";

  /**
   * The daemon told to stop with 20 calls in flight, by {@code how}: a signal name (TERM, INT) or
   * "stdin", the host closing its end. The 10 calls that end within shutdown_grace_ms are served,
   * the 10 that cannot are answered that tandem is shutting down; the daemon exits 0.
   */
  static ChaosRow stopWithCallsInFlight(ChaosScenario s, Path dir, String how) throws Exception {
    try (ChaosStdio run =
        ChaosStdio.start(
            dir, "[server]\nshutdown_grace_ms = 2500\n", "replicas = 2\nspare = 0", "")) {
      run.awaitReady(2);
      List<String> ids = new ArrayList<>();
      for (int i = 0; i < 10; i++) {
        String shortCall = "short-" + i, longCall = "long-" + i;
        run.ledger.send(shortCall, "nap", Answers.args().put("seconds", 1.0));
        run.tally.expect(shortCall, "\"napped 1.0\"", result("napped 1.0"));
        run.ledger.send(longCall, "nap", Answers.args().put("seconds", 60.0));
        run.tally.expect(longCall, "an error: tandem is shutting down", error(SHUTTING_DOWN));
        ids.addAll(List.of(shortCall, longCall));
      }
      run.awaitInFlight(20);
      if (how.equals("stdin")) run.daemon.closeStdin();
      else Answers.signal(run.daemon.process().pid(), how);
      run.ledger.awaitAll(ids, Duration.ofSeconds(30));
      boolean exited = run.daemon.process().waitFor(20, java.util.concurrent.TimeUnit.SECONDS);
      String note =
          exited
              ? "daemon exited " + run.daemon.process().exitValue()
              : "daemon still running 20 s after " + how;
      return run.finish(s.name(), note);
    }
  }
}
