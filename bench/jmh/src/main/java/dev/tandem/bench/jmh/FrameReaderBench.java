package dev.tandem.bench.jmh;

import dev.tandem.protocol.Decoded;
import dev.tandem.protocol.FrameReader;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * FrameReader splitting and decoding a stream of frames as a pipe delivers them under load (many
 * frames per read): the per-frame cost of a session's or a worker link's reader thread.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
// The daemon's own JVM flags (bin/tandem): C1 only, as the code really runs.
@Fork(value = 1, jvmArgsAppend = {"-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xss512k"})
public class FrameReaderBench {

  private static final int FRAMES = 1000;
  private final byte[] calls = Frames.stream(Frames.HOST_CALL, FRAMES);
  private final byte[] results = Frames.stream(Frames.WORKER_RESULT, FRAMES);

  @Benchmark
  @OperationsPerInvocation(FRAMES)
  public void hostCalls(Blackhole bh) throws IOException {
    read(calls, bh);
  }

  @Benchmark
  @OperationsPerInvocation(FRAMES)
  public void workerResults(Blackhole bh) throws IOException {
    read(results, bh);
  }

  private static void read(byte[] stream, Blackhole bh) throws IOException {
    FrameReader reader = new FrameReader(new ByteArrayInputStream(stream), FrameReader.DEFAULT_MAX_FRAME_BYTES);
    Decoded d;
    while ((d = reader.next()) != null) bh.consume(d);
  }
}
