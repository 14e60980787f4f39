package dev.tandem.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Many requests in flight on one daemon, with every frame that comes back filed under its id, so a
 * test can say "each call got exactly one answer" and see a second one if it ever came.
 */
final class Answers {

  private final DaemonProcess daemon;
  private final Map<String, List<JsonNode>> byId = new HashMap<>();
  private final AtomicInteger serial = new AtomicInteger();

  Answers(DaemonProcess daemon) {
    this.daemon = daemon;
  }

  static ObjectNode toolCall(String id, String tool, ObjectNode arguments) {
    ObjectNode msg =
        DaemonProcess.JSON
            .createObjectNode()
            .put("jsonrpc", "2.0")
            .put("id", id)
            .put("method", "tools/call");
    ObjectNode params = msg.putObject("params").put("name", tool);
    params.set("arguments", arguments == null ? DaemonProcess.JSON.createObjectNode() : arguments);
    return msg;
  }

  static ObjectNode args() {
    return DaemonProcess.JSON.createObjectNode();
  }

  /** Sends a tools/call and returns immediately. */
  void send(String id, String tool, ObjectNode arguments) throws IOException {
    daemon.send(toolCall(id, tool, arguments));
  }

  /** Sends a tools/call and waits for its answer. */
  synchronized JsonNode call(String id, String tool, ObjectNode arguments) throws Exception {
    send(id, tool, arguments);
    return await(id, Duration.ofSeconds(60));
  }

  /** tandem/status: pools and workers as the daemon sees them now. */
  synchronized JsonNode status() throws Exception {
    String id = "status-" + serial.incrementAndGet();
    daemon.send(
        DaemonProcess.JSON
            .createObjectNode()
            .put("jsonrpc", "2.0")
            .put("id", id)
            .put("method", "tandem/status"));
    JsonNode answer = await(id, Duration.ofSeconds(30));
    if (!answer.has("result")) throw new AssertionError("tandem/status failed: " + answer);
    return answer.get("result");
  }

  synchronized JsonNode pool(String name) throws Exception {
    for (JsonNode pool : status().path("pools"))
      if (pool.path("name").asText().equals(name)) return pool;
    throw new AssertionError("no pool " + name + " in the status");
  }

  /** The first answer to {@code id}, reading frames (and filing the others) until it comes. */
  synchronized JsonNode await(String id, Duration deadline) throws InterruptedException {
    long end = System.nanoTime() + deadline.toNanos();
    while (!byId.containsKey(id)) {
      long left = end - System.nanoTime();
      if (left <= 0)
        throw new AssertionError("no answer to " + id + " within " + deadline + stderrTail());
      file(daemon.next(Duration.ofNanos(left)));
    }
    return byId.get(id).get(0);
  }

  synchronized void awaitAll(Collection<String> ids, Duration deadline)
      throws InterruptedException {
    for (String id : ids) await(id, deadline);
  }

  private void file(JsonNode frame) {
    JsonNode id = frame.get("id");
    if (id != null && (frame.has("result") || frame.has("error"))) {
      byId.computeIfAbsent(id.asText(), k -> new ArrayList<>()).add(frame);
    }
  }

  /** Every frame that answered {@code id}; exactly one is the contract. */
  synchronized List<JsonNode> all(String id) {
    return List.copyOf(byId.getOrDefault(id, List.of()));
  }

  static boolean isError(JsonNode answer) {
    return answer.path("result").path("isError").asBoolean(false) || answer.has("error");
  }

  static String text(JsonNode answer) {
    if (answer.has("error")) return answer.get("error").toString();
    return answer.path("result").path("content").path(0).path("text").asText();
  }

  private String stderrTail() {
    List<String> err = daemon.stderr();
    return "; tandem's stderr ends with:\n"
        + String.join("\n", err.subList(Math.max(0, err.size() - 40), err.size()));
  }

  /** Resident memory of a process, from /proc. */
  static long rssBytes(long pid) {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
        if (line.startsWith("VmRSS:")) return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
      }
    } catch (IOException e) {
      // gone
    }
    return 0;
  }

  /** Sends a signal by name (STOP, CONT, KILL, TERM) to a process. */
  static void signal(long pid, String name) throws Exception {
    // kill -1 and kill 0 mean "every process" and "my process group": never what a test meant.
    if (pid <= 1) throw new AssertionError("refusing to send SIG" + name + " to pid " + pid);
    Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(pid)).inheritIO().start();
    if (kill.waitFor() != 0) throw new AssertionError("kill -" + name + " " + pid + " failed");
  }

  /** Python tool modules the supervision tests crash, stall and flood. */
  static final String NAPS =
      """
      import asyncio, os, signal, sys
      from tandem import tool

      @tool(read_only=True)
      async def nap(seconds: float = 1.0) -> str:
          \"\"\"Sleep without blocking the worker; safe to run twice.\"\"\"
          await asyncio.sleep(seconds)
          return f"napped {seconds}"

      @tool
      async def nap_once(seconds: float = 1.0) -> str:
          \"\"\"Sleep, as a tool with effects would: not annotated, so never retried.\"\"\"
          await asyncio.sleep(seconds)
          return f"napped once {seconds}"

      @tool
      def crash(message: str = "crashing") -> str:
          \"\"\"Kill the worker it runs on.\"\"\"
          print(f"about to crash: {message}", file=sys.stderr, flush=True)
          os.kill(os.getpid(), signal.SIGKILL)
          return "unreachable"
      """;
}
