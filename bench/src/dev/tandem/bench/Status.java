package dev.tandem.bench;

import java.io.IOException;
import java.util.List;
import java.util.Map;

/** The workers tandem/status reports, as the driver needs them: pid, role and state. */
final class Status {

  record WorkerView(long pid, String role, String state) {
    boolean ready() {
      return state.equals("ready");
    }
  }

  private Status() {}

  static List<WorkerView> workers(Peer tandem) throws IOException {
    Map<?, ?> result = (Map<?, ?>) tandem.request("tandem/status");
    List<?> pools = (List<?>) result.get("pools");
    return pools.stream()
        .flatMap(p -> ((List<?>) ((Map<?, ?>) p).get("workers")).stream())
        .map(w -> (Map<?, ?>) w)
        .map(w -> new WorkerView(((Number) w.get("pid")).longValue(), String.valueOf(w.get("role")), String.valueOf(w.get("state"))))
        .toList();
  }

  /** Polls until {@code serving} serving workers and {@code spares} spares are ready. */
  static List<WorkerView> awaitReady(Peer tandem, int serving, int spares, long timeoutMillis) throws IOException {
    long deadline = System.nanoTime() + timeoutMillis * 1_000_000L;
    while (true) {
      List<WorkerView> ws = workers(tandem);
      long s = ws.stream().filter(w -> w.role().equals("serving") && w.ready()).count();
      long p = ws.stream().filter(w -> w.role().equals("spare") && w.ready()).count();
      if (s >= serving && p >= spares) return ws;
      if (System.nanoTime() > deadline) {
        throw new IOException("tandem did not get " + serving + " serving and " + spares + " spare workers ready in "
            + timeoutMillis + " ms; it has " + ws);
      }
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted");
      }
    }
  }
}
