package dev.tandem.supervisor.transport;

import dev.tandem.supervisor.process.Pipes;
import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * How many bytes the host has not read yet from the daemon's stdout, when that is a pipe: what lets
 * {@link StdoutWriter} write an answer on the thread that has it instead of waking its own thread.
 * An empty pipe takes {@link Pipes#SURE_TO_TAKE} bytes without blocking, whatever its size.
 *
 * <p>The count is the kernel's FIONREAD, which {@link FileInputStream#available} asks for on a pipe
 * (either end). A stdout that is not an anonymous pipe (a socket pair, as Node.js hosts give, whose
 * FIONREAD counts the other direction; a named FIFO; a file; a terminal) gets no probe: every write
 * goes through the writer's thread.
 */
final class HostPipe {

  /** Asks for the unread bytes of one pipe. */
  interface Probe {
    /** Bytes written and not yet read; negative when unknown (then the caller must not write). */
    int unread();
  }

  private HostPipe() {}

  /** A probe of the daemon's own stdout (fd 1), or null when it is not a pipe. */
  static Probe stdout() {
    return isPipe(Path.of("/proc/self/fd/1")) ? of(FileDescriptor.out) : null;
  }

  /**
   * Whether {@code fdLink}, a descriptor's link under /proc, names an anonymous pipe (a socket
   * reads "socket:[...]", a file its path). A readlink: the file attribute views that {@code stat}
   * would take cost 10-20 ms of class loading on the start path.
   */
  static boolean isPipe(Path fdLink) {
    if (!System.getProperty("os.name", "").startsWith("Linux")) return false;
    try {
      return Files.readSymbolicLink(fdLink).toString().startsWith("pipe:[");
    } catch (IOException | RuntimeException e) {
      return false;
    }
  }

  /**
   * A probe of the pipe {@code fd}, which the caller knows is one. The stream made on {@code fd} is
   * never closed: that would close it.
   */
  static Probe of(FileDescriptor fd) {
    FileInputStream counter = new FileInputStream(fd);
    return () -> {
      try {
        return counter.available();
      } catch (IOException e) {
        return -1;
      }
    };
  }
}
