package dev.tandem.supervisor.process;

/**
 * What any pipe is sure to take: the bound under which the daemon's writers (to a worker's stdin,
 * to a stdio host's stdout) may write on the sender's own thread without risk of blocking it.
 */
public final class Pipes {

  /**
   * Bytes an empty pipe is sure to take without blocking, whatever its size: one page, the least
   * Linux gives a pipe (a user over {@code pipe-user-pages-soft} gets one); elsewhere, POSIX's
   * PIPE_BUF minimum.
   */
  public static final int SURE_TO_TAKE =
      System.getProperty("os.name", "").startsWith("Linux") ? 4096 : 512;

  private Pipes() {}
}
