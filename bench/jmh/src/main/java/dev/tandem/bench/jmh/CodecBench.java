package dev.tandem.bench.jmh;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.protocol.Decoded;
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
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * MessageCodec on the frames of one trivial call, each direction: the fixed cost per frame that
 * every call pays four times in tandem (host in, worker out, worker in, host out).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
// The daemon's own JVM flags (bin/tandem): C1 only, as the code really runs.
@Fork(value = 1, jvmArgsAppend = {"-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xss512k"})
public class CodecBench {

  private Message.Request request;
  private Message.Result result;

  @Setup
  public void setUp() {
    request = (Message.Request) MessageCodec.decode(Frames.HOST_CALL);
    result = (Message.Result) MessageCodec.decode(Frames.WORKER_RESULT);
  }

  @Benchmark
  public Decoded decodeHostCall() {
    return MessageCodec.decode(Frames.HOST_CALL);
  }

  @Benchmark
  public Decoded decodeHostCall4k() {
    return MessageCodec.decode(Frames.HOST_CALL_4K);
  }

  @Benchmark
  public Decoded decodeWorkerResult() {
    return MessageCodec.decode(Frames.WORKER_RESULT);
  }

  @Benchmark
  public byte[] encodeWorkerRequest() {
    return MessageCodec.encode(new Message.Request(Json.NODES.numberNode(7L), "tools/call", request.params()));
  }

  @Benchmark
  public byte[] encodeHostResult() {
    return MessageCodec.encode(new Message.Result(request.id(), result.result()));
  }

  /** What Jackson alone costs to write the same tree: the floor under encodeHostResult. */
  @Benchmark
  public byte[] jacksonWriteTree() throws Exception {
    ObjectNode out = MessageCodec.toTree(new Message.Result(request.id(), result.result()));
    return Json.MAPPER.writeValueAsBytes(out);
  }
}
