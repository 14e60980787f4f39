package dev.tandem.bench.jmh;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.protocol.Json;
import dev.tandem.protocol.Message;
import dev.tandem.protocol.MessageCodec;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The bytes-to-bytes work the daemon does for one call, without its threads: the host's frame in,
 * the session's copy of params with the host's capabilities in {@code _meta}, the request to the
 * worker out; then the worker's answer in and the host's answer out. {@code withoutCopy} variants
 * show what the per-call deepCopy (Session.withHostCapabilities) costs.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
// The daemon's own JVM flags (bin/tandem): C1 only, as the code really runs.
@Fork(value = 1, jvmArgsAppend = {"-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xss512k"})
public class CallPathBench {

  /** What a typical host declares in initialize, which the session adds to every call's _meta. */
  private final ObjectNode clientCapabilities = (ObjectNode) ((Message.Request) MessageCodec.decode(Frames.bytes(
      "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{\"capabilities\":"
          + "{\"roots\":{\"listChanged\":true},\"sampling\":{},\"elicitation\":{\"form\":{}}}}}"))).params().get("capabilities");

  private long workerIds;

  @Benchmark
  public byte[] hostToWorker() {
    Message.Request in = (Message.Request) MessageCodec.decode(Frames.HOST_CALL);
    ObjectNode copy = in.params().deepCopy();
    ObjectNode meta = copy.get("_meta") instanceof ObjectNode m ? m : copy.putObject("_meta");
    meta.set("tandem/clientCapabilities", clientCapabilities);
    return MessageCodec.encode(new Message.Request(Json.NODES.numberNode(++workerIds), "tools/call", copy));
  }

  @Benchmark
  public byte[] hostToWorkerWithoutCopy() {
    Message.Request in = (Message.Request) MessageCodec.decode(Frames.HOST_CALL);
    ObjectNode params = in.params();
    ObjectNode meta = params.get("_meta") instanceof ObjectNode m ? m : params.putObject("_meta");
    meta.set("tandem/clientCapabilities", clientCapabilities);
    return MessageCodec.encode(new Message.Request(Json.NODES.numberNode(++workerIds), "tools/call", params));
  }

  @Benchmark
  public byte[] hostToWorker4k() {
    Message.Request in = (Message.Request) MessageCodec.decode(Frames.HOST_CALL_4K);
    ObjectNode copy = in.params().deepCopy();
    ObjectNode meta = copy.get("_meta") instanceof ObjectNode m ? m : copy.putObject("_meta");
    meta.set("tandem/clientCapabilities", clientCapabilities);
    return MessageCodec.encode(new Message.Request(Json.NODES.numberNode(++workerIds), "tools/call", copy));
  }

  @Benchmark
  public byte[] workerToHost() {
    Message.Result in = (Message.Result) MessageCodec.decode(Frames.WORKER_RESULT);
    return MessageCodec.encode(new Message.Result(Json.NODES.numberNode(42L), in.result()));
  }
}
