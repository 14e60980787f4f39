package dev.tandem.supervisor.worker;

import dev.tandem.protocol.RpcError;

/** The worker answered a request with a JSON-RPC error, which is passed on as it is. */
public final class WorkerError extends RuntimeException {

  private final RpcError error;

  public WorkerError(RpcError error) {
    super(error.message());
    this.error = error;
  }

  public RpcError error() {
    return error;
  }
}
