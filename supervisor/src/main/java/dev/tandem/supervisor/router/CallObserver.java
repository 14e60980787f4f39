package dev.tandem.supervisor.router;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Hears every {@code tools/call} the router accepts, from start to its one outcome: the hook that
 * metrics hang on, kept outside the router so that measuring never changes routing.
 *
 * <p>{@code finished} gets the answer exactly as the session will: a result (which may be an {@code
 * isError} tool error) or a failure ({@link CallFailed} for a JSON-RPC error, a {@link
 * java.util.concurrent.CancellationException} for a cancelled call). It runs on the thread that
 * completed the call and must not block.
 */
public interface CallObserver {

  CallObserver NONE =
      new CallObserver() {
        @Override
        public void started(String tool) {}

        @Override
        public void finished(String tool, JsonNode result, Throwable failure, long nanos) {}
      };

  void started(String tool);

  void finished(String tool, JsonNode result, Throwable failure, long nanos);
}
