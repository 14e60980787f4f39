package dev.tandem.supervisor.worker;

/**
 * How a worker process ended, in the words an operator needs. The JDK reports a death by signal as
 * 128 + the signal number, which is the shell's convention, so that is decoded here.
 */
public record ExitStatus(int code) {

  /** The worker runtime's status for "a module failed to import"; see tandem/worker.py. */
  public static final int IMPORT_FAILED = 3;

  public boolean bySignal() {
    return code > 128 && code < 128 + 65;
  }

  public int signal() {
    return bySignal() ? code - 128 : 0;
  }

  public String describe() {
    if (!bySignal()) return "exited with status " + code;
    return "was killed by signal " + signal() + signalName(signal());
  }

  private static String signalName(int signal) {
    return switch (signal) {
      case 1 -> " (SIGHUP)";
      case 2 -> " (SIGINT)";
      case 6 -> " (SIGABRT)";
      case 9 -> " (SIGKILL)";
      case 11 -> " (SIGSEGV)";
      case 15 -> " (SIGTERM)";
      default -> "";
    };
  }
}
