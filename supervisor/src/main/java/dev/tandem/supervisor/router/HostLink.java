package dev.tandem.supervisor.router;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.concurrent.CompletableFuture;

/**
 * The host session a call came from, as the router needs it while the call runs: where its progress
 * and log lines go, and where a worker's sampling, elicitation or roots request for it is asked.
 * Implemented by the session, one per call, so nothing can reach another session.
 */
public interface HostLink {

  /** {@code notifications/progress} params with the host's own token already restored. */
  void progress(ObjectNode params);

  /** {@code notifications/message} params, sent if the session's log level lets them through. */
  void log(ObjectNode params);

  /** A server-to-client request; completes with the host's result or fails with CallFailed. */
  CompletableFuture<JsonNode> request(String method, ObjectNode params);
}
