package dev.tandem.supervisor.router;

import dev.tandem.protocol.Failures;
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

  /**
   * The JSON-RPC error that answers a request whose future failed with {@code failure}: the error a
   * {@code CallFailed} carries, else an internal error saying what went wrong. One mapping for both
   * eras, the reload watcher and {@code tandem call}.
   */
  public static RpcError errorOf(Throwable failure) {
    Throwable cause = Failures.cause(failure);
    return cause instanceof CallFailed f
        ? f.error()
        : RpcError.internal(String.valueOf(cause.getMessage()));
  }
}
