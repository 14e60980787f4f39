package dev.tandem.it;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A hostile MCP server on the worker side: lines that are not JSON, invalid UTF-8, a frame over the
 * size limit, a frame that never ends, a closed stdout. Each is logged and costs at most that
 * worker (which is replaced), never the daemon or another pool.
 */
class GarbageOnWorkerStdoutTest {

  /** A stdio MCP server that answers properly except when a tool asks it to misbehave. */
  static final String HOSTILE =
      """
      import json, os, sys, threading, time

      out = sys.stdout.buffer

      def send(msg):
          out.write(json.dumps(msg).encode() + b"\\n")
          out.flush()

      def tool(name):
          return {"name": name, "inputSchema": {"type": "object"}}

      def endless():
          while True:
              out.write(b"y" * 65536)
              out.flush()
              time.sleep(0.002)

      for line in sys.stdin.buffer:
          try:
              msg = json.loads(line)
          except ValueError:
              continue
          mid, method = msg.get("id"), msg.get("method")
          if method == "initialize":
              send({"jsonrpc": "2.0", "id": mid, "result": {"protocolVersion": "2025-11-25",
                    "capabilities": {"tools": {}}, "serverInfo": {"name": "hostile", "version": "0"}}})
          elif method == "tools/list":
              send({"jsonrpc": "2.0", "id": mid, "result": {"tools": [tool("garble"), tool("unterminated"), tool("endless"), tool("hangup"), tool("partial")]}})
          elif method == "ping":
              send({"jsonrpc": "2.0", "id": mid, "result": {}})
          elif method == "tools/call":
              name = msg["params"]["name"]
              if name == "garble":
                  out.write(b"this is not json\\n")
                  out.write(b"\\xff\\xfe\\xfd not utf-8 \\xc3\\x28\\n")
                  out.write(b'{"jsonrpc": "2.0", "id": \\n')
                  out.write(b"[1, 2, 3]\\n")
                  out.write(b"x" * (5 * 1024 * 1024) + b"\\n")
                  out.flush()
                  send({"jsonrpc": "2.0", "id": mid, "result": {"content": [{"type": "text", "text": "survived"}]}})
              elif name == "partial":
                  out.write(b'{"js')
                  out.flush()
                  time.sleep(0.05)
                  send({"jsonrpc": "2.0", "id": mid, "result": {"content": [{"type": "text", "text": "glued"}]}})
              elif name == "unterminated":
                  out.write(b'{"jsonrpc": "2.0", "id": ' + b"9" * (6 * 1024 * 1024))
                  out.flush()
              elif name == "endless":
                  threading.Thread(target=endless, daemon=True).start()
              elif name == "hangup":
                  os.close(1)
                  time.sleep(600)
          elif mid is not None:
              send({"jsonrpc": "2.0", "id": mid, "error": {"code": -32601, "message": "Method not found"}})
      """;

  /**
   * A partial line (a stray write without newline) glues itself to the next message the worker
   * writes (issue 17, item 3): that message, here the call's answer, is read from behind it,
   * instead of being lost with the garbage and the call timing out.
   */
  @Test
  void aPartialLineDoesNotSwallowTheAnswerWrittenAfterIt(@TempDir Path dir) throws Exception {
    Files.writeString(dir.resolve("hostile.py"), HOSTILE);
    Path config =
        Tandem.config(
            dir,
            """
        [[pool]]
        name = "hostile"
        command = ["python3", "hostile.py"]
        spare = 0
        call_timeout_ms = 20000
        """);
    try (DaemonProcess daemon = DaemonProcess.serve(config)) {
      daemon.initialize();
      Answers answers = new Answers(daemon);
      long t0 = System.nanoTime();
      JsonNode glued = answers.call("partial", "partial", null);
      long ms = (System.nanoTime() - t0) / 1_000_000;
      assertFalse(Answers.isError(glued), glued.toString());
      assertEquals("glued", Answers.text(glued));
      assertTrue(ms < 10_000, "answered after " + ms + " ms");
      // The warning is logged by the worker's reader as it reads; the answer may overtake it.
      await()
          .atMost(Duration.ofSeconds(10))
          .until(
              () ->
                  String.join("\n", daemon.stderr())
                      .contains("4 bytes before a message glued to them; the message was read"));
      assertEquals(0, answers.pool("hostile").path("restarts").asLong());
    }
  }

  @Test
  void garbageNeverEndingFramesAndInvalidUtf8CostAtMostThatWorker(@TempDir Path dir)
      throws Exception {
    Files.writeString(dir.resolve("hostile.py"), HOSTILE);
    Path config =
        Tandem.config(
            dir,
            """
        [[pool]]
        name = "hostile"
        command = ["python3", "hostile.py"]
        spare = 0
        ping_interval_ms = 300
        ping_timeout_ms = 1500
        call_timeout_ms = 20000
        max_restarts = 100
        """
                + Tandem.examplesPool("examples", 1)
                + "spare = 0\n");
    try (DaemonProcess daemon = DaemonProcess.serve(config)) {
      daemon.initialize();
      Answers answers = new Answers(daemon);

      JsonNode garbled = answers.call("garble", "garble", null);
      assertFalse(Answers.isError(garbled), garbled.toString());
      assertEquals("survived", Answers.text(garbled));
      String log = String.join("\n", daemon.stderr());
      assertTrue(log.contains("pool=hostile worker=1"), log);
      assertTrue(log.contains("wrote something on stdout that is not an MCP message"), log);
      assertTrue(
          log.contains("exceeds the limit of"),
          "the 5 MiB line is refused by size, not buffered: " + log);

      // A frame that never ends swallows the answers behind it, pings included: the worker is
      // killed for the missed ping, and the call hears why.
      JsonNode unterminated = answers.call("unterminated", "unterminated", null);
      assertTrue(Answers.isError(unterminated), unterminated.toString());
      assertTrue(
          Answers.text(unterminated).contains("did not answer a ping"), unterminated.toString());
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> !Answers.isError(answers.call("g" + System.nanoTime(), "garble", null)));

      // An endless stream is read and dropped in bounded chunks until the ping deadline.
      JsonNode endless = answers.call("endless", "endless", null);
      assertTrue(Answers.isError(endless), endless.toString());
      assertTrue(Answers.text(endless).contains("did not answer a ping"), endless.toString());
      assertTrue(Answers.rssBytes(daemon.process().pid()) < 512L << 20);

      // A worker that closes its stdout and lives on can never answer again: it is killed at
      // once rather than left to the ping that would find it out later.
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> !Answers.isError(answers.call("i" + System.nanoTime(), "garble", null)));
      JsonNode hangup = answers.call("hangup", "hangup", null);
      assertTrue(Answers.isError(hangup), hangup.toString());
      assertTrue(
          Answers.text(hangup).contains("it closed its stdout but kept running"),
          hangup.toString());

      JsonNode echo =
          answers.call("echo", "echo", Answers.args().put("text", "the daemon is fine"));
      assertEquals("the daemon is fine", Answers.text(echo));
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> !Answers.isError(answers.call("h" + System.nanoTime(), "garble", null)));
      assertTrue(daemon.process().isAlive());
    }
  }
}
