package dev.tandem.supervisor.cli;

import dev.tandem.supervisor.log.Log;
import sun.misc.Signal;

/**
 * SIGTERM and SIGINT start the same orderly shutdown as the host closing stdin, and end with status
 * 0: whoever sent them (systemd, a host, a terminal) asked tandem to stop, and stopping cleanly is
 * success, not the 128 + signal the JVM reports when a signal ends it.
 */
final class Signals {

  private Signals() {}

  static void onTerminate(Runnable shutdown) {
    for (String name : new String[] {"TERM", "INT"}) {
      try {
        Signal.handle(
            new Signal(name),
            signal -> {
              try {
                Log.info("SIG" + name + ": shutting down");
                shutdown.run();
              } catch (Throwable t) {
                // Exit all the same: a stop that failed halfway must not leave the daemon running.
                Log.warn("shutdown failed: " + t);
              } finally {
                System.exit(0);
              }
            });
      } catch (IllegalArgumentException e) {
        // The JVM keeps this signal for itself (-Xrs); its shutdown hook still stops the workers.
        Log.debug("cannot handle SIG" + name + ": " + e.getMessage());
      }
    }
  }
}
