package dev.tandem.supervisor.router;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.protocol.Json;
import dev.tandem.protocol.RpcError;
import dev.tandem.supervisor.log.Log;
import dev.tandem.supervisor.pool.PoolUnavailable;
import dev.tandem.supervisor.worker.WorkerDied;
import java.util.List;

/** How a failure after routing is answered: tools read errors as results, the rest as errors. */
interface Errors {
  /** {@code earlier}: the death that made this a retry; {@code retryable}: whether it could be. */
  JsonNode workerDied(WorkerDied died, WorkerDied earlier, boolean retryable);

  JsonNode unavailable(PoolUnavailable unavailable, WorkerDied earlier);

  JsonNode expired(String what);

  /** A result the model reads: the tool could not do its job, and why. */
  static JsonNode toolError(String message) {
    ObjectNode result = Json.object();
    result.putArray("content").addObject().put("type", "text").put("text", message);
    result.put("isError", true);
    return result;
  }

  static String lastLines(List<String> tail) {
    if (tail.isEmpty()) return "";
    List<String> last = tail.subList(Math.max(0, tail.size() - 5), tail.size());
    return ". Its last stderr lines:\n" + String.join("\n", last);
  }

  Errors PROTOCOL =
      new Errors() {
        @Override
        public JsonNode workerDied(WorkerDied died, WorkerDied earlier, boolean retryable) {
          throw new CallFailed(
              RpcError.internal(died.getMessage() + " while answering; try again"));
        }

        @Override
        public JsonNode unavailable(PoolUnavailable unavailable, WorkerDied earlier) {
          throw new CallFailed(RpcError.internal(unavailable.getMessage()));
        }

        @Override
        public JsonNode expired(String what) {
          throw new CallFailed(RpcError.internal(what));
        }
      };

  /**
   * A tool's failures are results the model reads (the tools page: isError, not a protocol error).
   */
  record ForTool(String tool) implements Errors {
    @Override
    public JsonNode workerDied(WorkerDied d, WorkerDied earlier, boolean retryable) {
      Log.warn("tools/call \"" + tool + "\" lost its worker: " + d.getMessage());
      // Unmarked: a task learns of the death from RoutedCall.workerDied, a host from the text.
      return toolError(
          "tool \""
              + tool
              + "\" failed: "
              + d.getMessage()
              + " while running it; "
              + (earlier != null
                  ? "it was a retry, after " + earlier.getMessage() + ", and is not retried again"
                  : retryable
                      ? "the call was not retried"
                      : "the call was not retried because the tool is not annotated readOnlyHint or idempotentHint")
              + lastLines(d.stderrTail()));
    }

    @Override
    public JsonNode unavailable(PoolUnavailable e, WorkerDied earlier) {
      return toolError(
          "tool \""
              + tool
              + "\" is unavailable: "
              + e.getMessage()
              + (earlier == null
                  ? ""
                  : " (it was being retried because " + earlier.getMessage() + ")"));
    }

    @Override
    public JsonNode expired(String what) {
      return toolError("tool \"" + tool + "\" " + what);
    }
  }
}
