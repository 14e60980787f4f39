package dev.tandem.supervisor.pool;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tandem.supervisor.log.Log;

/**
 * The interpreter a pool's workers exec. At start it is what the configuration names ({@code
 * [server] python}, {@code TANDEM_PYTHON}, else {@code python3}), often a shim (pyenv, asdf) that
 * costs tens of milliseconds per start; the first worker names its real binary in its initialize
 * result ({@code experimental.tandem.python.executable}) and every later start (spares, restarts,
 * reloads) execs that directly. Asking the shim beforehand, as a separate Python start, would put a
 * whole interpreter start in series before the first worker's; learning it from the first worker
 * costs nothing. One instance is shared by every pool of a daemon.
 */
public final class PythonCommand {

  private volatile String executable;
  private volatile boolean resolved;

  private PythonCommand(String executable, boolean resolved) {
    this.executable = executable;
    this.resolved = resolved;
  }

  /** As configured; resolved by the first worker that reports its interpreter. */
  public static PythonCommand configured(String configured) {
    return new PythonCommand(PythonRuntime.candidate(configured), false);
  }

  /** Already resolved, for example by {@link PythonRuntime#locate}. */
  public static PythonCommand of(PythonRuntime runtime) {
    return new PythonCommand(runtime.executable().toString(), true);
  }

  public String executable() {
    return executable;
  }

  /**
   * Takes the real interpreter from a worker's initialize result, once; other results are ignored.
   */
  void learnFrom(JsonNode initializeResult) {
    if (resolved || initializeResult == null) return;
    JsonNode python =
        initializeResult.path("capabilities").path("experimental").path("tandem").path("python");
    // null or empty from an embedded interpreter: nothing that could be exec'd
    String real = python.path("executable").isTextual() ? python.path("executable").asText() : "";
    if (real.isEmpty()) return;
    synchronized (this) {
      if (resolved) return;
      resolved = true;
      JsonNode v = python.path("version");
      String version =
          v.isArray() && v.size() >= 2 ? v.get(0).asInt() + "." + v.get(1).asInt() : "?";
      if (!real.equals(executable)) {
        Log.info(
            "python "
                + real
                + " ("
                + version
                + "), found through \""
                + executable
                + "\"; workers start it directly from now on");
      } else {
        Log.info("python " + real + " (" + version + ")");
      }
      executable = real;
    }
  }
}
