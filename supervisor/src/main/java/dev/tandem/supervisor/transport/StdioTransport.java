package dev.tandem.supervisor.transport;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tandem.protocol.Decoded;
import dev.tandem.protocol.EnvelopeDecoder;
import dev.tandem.protocol.FrameReader;
import dev.tandem.protocol.Message;
import dev.tandem.protocol.Turn;
import dev.tandem.supervisor.log.Log;
import dev.tandem.supervisor.session.DualEraConnection;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.function.Function;

/**
 * MCP over the daemon's own stdin and stdout: one session, newline-delimited JSON-RPC. The reader
 * runs on its own thread and never waits on a call, so a slow tool cannot stall the host's next
 * request, its cancellations or its pings. It waits only on the host itself: while the host leaves
 * too many answers unread, it reads no more requests ({@link StdoutWriter}).
 */
public final class StdioTransport {

  private final InputStream in;
  private final StdoutWriter writer;
  private final int maxFrameBytes;

  /**
   * {@code out} is the daemon's own stdout (fd 1): when that is a pipe, the writer asks the kernel
   * how much of it the host has not read ({@link HostPipe}) to write answers without a hand-off.
   */
  public StdioTransport(InputStream in, OutputStream out, int maxFrameBytes) {
    this.in = in;
    this.writer = new StdoutWriter(out, HostPipe.stdout());
    this.maxFrameBytes = maxFrameBytes;
  }

  public void send(Message message, JsonNode relatedTo) {
    try {
      writer.write(message);
    } catch (IOException e) {
      // The host closed our stdout: nothing can reach it any more; the reader sees EOF next.
      Log.debug("stdio: could not write to the host: " + e.getMessage());
    }
  }

  /**
   * Writes what is still queued for the host, waiting at most {@code millis} (a host that stopped
   * reading must not hold up exit), then closes stdout. For shutdown, after the last answer.
   */
  public void finish(long millis) {
    writer.close(millis);
  }

  /** Reads frames into the session until the host closes stdin; returns then. */
  public void serve(Function<StdioTransport, DualEraConnection> connectionFactory) {
    DualEraConnection session = connectionFactory.apply(this);
    // A tool call's arguments stay the bytes the host sent, spliced into the worker's frame.
    FrameReader reader = new FrameReader(in, maxFrameBytes, false, EnvelopeDecoder.TOOL_ARGUMENTS);
    // Requests that arrived in one read go to each worker in one write (and answers the session
    // gives itself to the host in one write).
    Turn turn = Turn.begin();
    try {
      Decoded frame;
      while ((frame = reader.next()) != null) {
        try {
          session.receive(frame);
        } catch (RuntimeException e) {
          Log.error("stdio: failed to handle a message: " + e);
        }
        if (!reader.hasBufferedFrame()) {
          turn.end();
          writer.awaitRoom();
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (IOException e) {
      Log.warn("stdio: reading from the host failed: " + e.getMessage());
    } finally {
      turn.close();
    }
  }
}
