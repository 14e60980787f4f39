package dev.tandem.bench;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * One stdio MCP server under test (tandem, the floor, tandem's worker alone), driven from one
 * thread: a request is written and its answer read by the same thread, so a measured round trip
 * holds no hand-off between the driver's own threads.
 */
final class Peer implements AutoCloseable {

  /** How to start a server, and what to call it in the table. */
  record Command(String label, List<String> argv, Map<String, String> env, Path log) {}

  final String label;
  final Process process;
  /** System.nanoTime() just before exec. */
  final long startedAt;
  private final OutputStream out;
  private final FrameInput in;
  private long nextId = 1;

  private Peer(String label, Process process, long startedAt) {
    this.label = label;
    this.process = process;
    this.startedAt = startedAt;
    this.out = new BufferedOutputStream(process.getOutputStream(), 1 << 20);
    this.in = new FrameInput(process.getInputStream());
  }

  static Peer start(Command command) throws IOException {
    ProcessBuilder pb = new ProcessBuilder(command.argv());
    pb.environment().putAll(command.env());
    pb.redirectError(command.log() == null ? ProcessBuilder.Redirect.DISCARD : ProcessBuilder.Redirect.appendTo(command.log().toFile()));
    long t0 = System.nanoTime();
    Process p = pb.start();
    return new Peer(command.label(), p, t0);
  }

  /** Starts the server and completes the initialize handshake. */
  static Peer ready(Command command) throws IOException {
    Peer peer = start(command);
    peer.initialize();
    return peer;
  }

  long pid() {
    return process.pid();
  }

  long newId() {
    return nextId++;
  }

  /** initialize, then notifications/initialized; returns the nanoTime the answer arrived. */
  long initialize() throws IOException {
    long id = newId();
    write(("{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"method\":\"initialize\",\"params\":{\"protocolVersion\":\"2025-06-18\","
        + "\"capabilities\":{},\"clientInfo\":{\"name\":\"tandem-bench\",\"version\":\"1\"}}}\n").getBytes(StandardCharsets.UTF_8));
    flush();
    FrameInput.Frame f = await(id);
    long at = System.nanoTime();
    if (!f.ok()) throw new IOException(label + ": initialize failed: " + f.text());
    write("{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}\n".getBytes(StandardCharsets.UTF_8));
    flush();
    return at;
  }

  static byte[] toolCall(long id, String tool, String argumentsJson) {
    return ("{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"method\":\"tools/call\",\"params\":{\"name\":\"" + tool
        + "\",\"arguments\":" + argumentsJson + "}}\n").getBytes(StandardCharsets.UTF_8);
  }

  /** One tools/call, answered; the caller checks the frame. */
  FrameInput.Frame call(String tool, String argumentsJson) throws IOException {
    long id = newId();
    write(toolCall(id, tool, argumentsJson));
    flush();
    return await(id);
  }

  /** A request whose answer the driver parses (tandem/status). */
  Object request(String method) throws IOException {
    long id = newId();
    write(("{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"method\":\"" + method + "\"}\n").getBytes(StandardCharsets.UTF_8));
    flush();
    FrameInput.Frame f = awaitText(id);
    if (f.rpcError()) throw new IOException(label + ": " + method + " failed: " + f.text());
    return ((Map<?, ?>) MiniJson.parse(f.text())).get("result");
  }

  void write(byte[] frame) throws IOException {
    out.write(frame);
  }

  void flush() throws IOException {
    out.flush();
  }

  FrameInput.Frame next() throws IOException {
    return in.next(-2);
  }

  /** The next frame, keeping its text if it answers {@code id}. */
  FrameInput.Frame nextKeeping(long id) throws IOException {
    return in.next(id);
  }

  boolean hasBufferedFrame() {
    return in.hasBufferedFrame();
  }

  /** Reads until the answer to {@code id}, skipping notifications (log lines, list changes). */
  FrameInput.Frame await(long id) throws IOException {
    while (true) {
      FrameInput.Frame f = in.next(-2);
      if (f.id() == id) return f;
    }
  }

  private FrameInput.Frame awaitText(long id) throws IOException {
    while (true) {
      FrameInput.Frame f = in.next(id);
      if (f.id() == id) return f;
    }
  }

  /** Resident memory of the server process itself (for tandem: the JVM, not its workers). */
  long rssBytes() {
    return Proc.rssBytes(pid());
  }

  /** Closes stdin, the MCP stdio way to stop a server; kills it if it has not exited in 10 s. */
  @Override
  public void close() {
    try {
      out.close();
    } catch (IOException ignored) {
      // already gone
    }
    Proc.reap(process);
  }
}
