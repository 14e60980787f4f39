package dev.tandem.supervisor.process;

import dev.tandem.supervisor.log.Log;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The process groups this daemon's children lead, written down as they start, so that what a daemon
 * killed with SIGKILL leaves behind is found by the next one. No hook runs on SIGKILL;
 * PR_SET_PDEATHSIG ends the Python workers, but not the processes their tools started, nor a
 * foreign server that ignores the end of its stdin.
 *
 * <p>One file per daemon, {@code children/PID.groups} in the runtime directory (0700, the file
 * 0600): a header naming the daemon by pid, start time and boot, then one {@code PGID START} line
 * per child. A daemon at start reaps the groups of every file whose daemon is no longer running
 * (and deletes the file); a clean exit deletes its own. Start times guard against pid reuse: the
 * boot id against a reboot, the daemon's against a new process with its pid, a leader's against a
 * new group with its id ({@link ProcessTable#killGroups}).
 */
public final class GroupLedger {

  private static final Path BOOT_ID = Path.of("/proc/sys/kernel/random/boot_id");

  private final Path dir;
  private final Path file;
  private final String header;
  private volatile boolean broken;

  private GroupLedger(Path dir) {
    this.dir = dir;
    long pid = ProcessHandle.current().pid();
    this.file = dir.resolve(pid + ".groups");
    long start = ProcessTable.read(pid).map(ProcessTable.Entry::startTicks).orElse(-1L);
    this.header = "daemon " + pid + " " + start + " " + bootId() + "\n";
  }

  /** The ledger in {@code dir}; nothing is written until the first child starts. */
  public static GroupLedger in(Path dir) {
    return new GroupLedger(dir);
  }

  /** Kills what daemons that died without a clean exit left behind; returns how many processes. */
  public int reapLeftovers() {
    if (!Files.isDirectory(dir)) return 0;
    int killed = 0;
    try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*.groups")) {
      for (Path f : files) killed += reap(f);
    } catch (IOException e) {
      Log.warn(
          "cannot read " + dir + " to reap what a killed daemon left running: " + e.getMessage());
    }
    return killed;
  }

  private int reap(Path f) {
    List<String> lines;
    try {
      lines = Files.readAllLines(f, StandardCharsets.US_ASCII);
    } catch (IOException e) {
      return 0;
    }
    String[] head = lines.isEmpty() ? new String[0] : lines.get(0).split(" ");
    if (head.length != 4 || !head[0].equals("daemon")) {
      delete(f);
      return 0;
    }
    long pid = Long.parseLong(head[1]);
    long start = Long.parseLong(head[2]);
    if (!head[3].equals(bootId())) {
      delete(f); // written before a reboot: every process it names is long gone
      return 0;
    }
    boolean running =
        ProcessTable.read(pid).map(e -> e.startTicks() == start && !e.dead()).orElse(false);
    if (running) return 0; // a live daemon's, ours included
    Map<Long, Long> groups = new HashMap<>();
    for (String line : lines.subList(1, lines.size())) {
      String[] g = line.split(" ");
      if (g.length == 2) groups.put(Long.parseLong(g[0]), Long.parseLong(g[1]));
    }
    int killed = ProcessTable.killGroups(groups);
    if (killed > 0) {
      Log.info(
          "killed "
              + killed
              + " process(es) left running by daemon "
              + pid
              + ", which ended without stopping its workers (SIGKILL?)");
    }
    delete(f);
    return killed;
  }

  /** Notes a child that leads process group {@code pgid}; a failure to write is reported once. */
  void record(long pgid, long startTicks) {
    if (broken) return;
    try {
      if (!Files.exists(file)) create();
      Files.writeString(
          file,
          pgid + " " + startTicks + "\n",
          StandardCharsets.US_ASCII,
          StandardOpenOption.APPEND);
    } catch (IOException | UnsupportedOperationException e) {
      broken = true;
      Log.warn(
          "cannot record worker process groups in "
              + dir
              + " ("
              + e
              + "); if this daemon is killed with "
              + "SIGKILL, the next one will not find what its tools left running");
    }
  }

  private void create() throws IOException {
    Files.createDirectories(
        dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
    Files.createFile(
        file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    Files.writeString(file, header, StandardCharsets.US_ASCII, StandardOpenOption.APPEND);
  }

  /** A clean exit: every child and its group are gone, nothing is left to reap. */
  void close() {
    delete(file);
  }

  private static void delete(Path f) {
    try {
      Files.deleteIfExists(f);
    } catch (IOException e) {
      Log.debug("could not delete " + f + ": " + e.getMessage());
    }
  }

  private static String bootId() {
    try {
      return Files.readString(BOOT_ID).trim();
    } catch (IOException e) {
      return "unknown";
    }
  }
}
