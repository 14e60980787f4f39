package dev.tandem.it;

import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The real {@code bin/tandem serve} on pipes, driven frame by frame: the raw view a test needs to
 * send bytes no well-behaved client would and to see exactly what comes back.
 */
final class DaemonProcess implements AutoCloseable {

  static final ObjectMapper JSON = new ObjectMapper();

  private final Process process;
  private final OutputStream stdin;
  private final BlockingQueue<JsonNode> frames = new LinkedBlockingQueue<>();
  private final List<String> rawStdout = new CopyOnWriteArrayList<>();
  private final List<String> stderr = new CopyOnWriteArrayList<>();

  /** Held while the test plays a host that stopped reading its stdout. */
  private final java.util.concurrent.locks.ReentrantLock reading =
      new java.util.concurrent.locks.ReentrantLock();

  private DaemonProcess(Process process) {
    this.process = process;
    this.stdin = process.getOutputStream();
    Thread out = new Thread(this::readStdout, "daemon-stdout");
    out.setDaemon(true);
    out.start();
    Thread err = new Thread(this::readStderr, "daemon-stderr");
    err.setDaemon(true);
    err.start();
  }

  static DaemonProcess serve(Path config) throws IOException {
    return serve(config, List.of(), env -> {});
  }

  /**
   * {@code serve} with more arguments, in this process's environment as {@code environment} changes
   * it.
   */
  static DaemonProcess serve(
      Path config, List<String> args, Consumer<Map<String, String>> environment)
      throws IOException {
    List<String> argv = new ArrayList<>(List.of(Tandem.BIN.toString(), "serve"));
    if (config != null) argv.addAll(List.of("--config", config.toString()));
    argv.addAll(args);
    ProcessBuilder pb = new ProcessBuilder(argv);
    environment.accept(pb.environment());
    return new DaemonProcess(pb.start());
  }

  private void readStdout() {
    try (BufferedReader r =
        new BufferedReader(
            new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = r.readLine()) != null) {
        reading.lock();
        reading.unlock();
        rawStdout.add(line);
        try {
          frames.add(JSON.readTree(line));
        } catch (IOException e) {
          frames.add(JSON.createObjectNode().put("__not_json__", line));
        }
      }
    } catch (IOException e) {
      // process ended
    }
  }

  private void readStderr() {
    try (BufferedReader r =
        new BufferedReader(
            new InputStreamReader(process.getErrorStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = r.readLine()) != null) stderr.add(line);
    } catch (IOException e) {
      // process ended
    }
  }

  void sendRaw(byte[] bytes) throws IOException {
    stdin.write(bytes);
    stdin.flush();
  }

  void sendLine(String line) throws IOException {
    sendRaw((line + "\n").getBytes(StandardCharsets.UTF_8));
  }

  void send(JsonNode message) throws IOException {
    sendLine(JSON.writeValueAsString(message));
  }

  /** The next frame the daemon wrote, waiting up to the deadline. */
  JsonNode next(Duration deadline) throws InterruptedException {
    JsonNode frame = frames.poll(deadline.toMillis(), TimeUnit.MILLISECONDS);
    if (frame == null) {
      throw new AssertionError(
          "no frame from tandem within "
              + deadline
              + "; its stderr:\n"
              + String.join("\n", stderr));
    }
    return frame;
  }

  /** The next frame the daemon wrote, or null if none came within the deadline. */
  JsonNode poll(Duration deadline) throws InterruptedException {
    return frames.poll(deadline.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** Sends a request and returns the response with the same id, skipping notifications. */
  JsonNode request(String id, String method, JsonNode params)
      throws IOException, InterruptedException {
    var msg = JSON.createObjectNode().put("jsonrpc", "2.0").put("id", id).put("method", method);
    if (params != null) msg.set("params", params);
    send(msg);
    while (true) {
      JsonNode frame = next(Duration.ofSeconds(30));
      if (frame.has("id") && frame.get("id").asText().equals(id)) return frame;
    }
  }

  JsonNode initialize() throws IOException, InterruptedException {
    var params = JSON.createObjectNode().put("protocolVersion", "2025-11-25");
    params.putObject("capabilities");
    params.putObject("clientInfo").put("name", "it").put("version", "0");
    JsonNode answer = request("init", "initialize", params);
    send(JSON.createObjectNode().put("jsonrpc", "2.0").put("method", "notifications/initialized"));
    return answer;
  }

  /**
   * Stops reading tandem's stdout after the line in hand, as a host that stalls does: the pipe and
   * this side's 8 KiB of buffer fill, then tandem's writes to it block. Call from the test thread.
   */
  void stopReading() {
    reading.lock();
  }

  void resumeReading() {
    reading.unlock();
  }

  List<String> stderr() {
    return List.copyOf(stderr);
  }

  List<String> rawStdout() {
    return List.copyOf(rawStdout);
  }

  Process process() {
    return process;
  }

  void closeStdin() throws IOException {
    stdin.close();
  }

  int awaitExit(Duration deadline) {
    await().atMost(deadline).until(() -> !process.isAlive());
    return process.exitValue();
  }

  @Override
  public void close() {
    List<ProcessHandle> children = process.descendants().toList();
    try {
      stdin.close();
    } catch (IOException e) {
      // already closed
    }
    try {
      if (!process.waitFor(15, TimeUnit.SECONDS)) process.destroyForcibly();
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
    children.forEach(ProcessHandle::destroyForcibly);
  }
}
