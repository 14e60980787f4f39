package dev.tandem.supervisor.router;

import dev.tandem.protocol.RpcError;

/** A call that must be answered with a JSON-RPC error rather than a result. */
public final class CallFailed extends RuntimeException {

  private final RpcError error;

  public CallFailed(RpcError error) {
    super(error.message());
    this.error = error;
  }

  public RpcError error() {
    return error;
  }
}
