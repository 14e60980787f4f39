package dev.tandem.supervisor.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

class ProcessTableTest {

  @Test
  void aCommandNameWithSpacesAndParenthesesDoesNotShiftTheFields() {
    String stat =
        "4182 (my (odd) tool) S 1 4100 4100 0 -1 4194560 120 0 0 0 3 1 0 0 20 0 1 0 987654 "
            + "12345678 456 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0";
    byte[] bytes = (stat + "\n").getBytes(StandardCharsets.US_ASCII);
    ProcessTable.Entry e = ProcessTable.parse(4182, bytes, bytes.length);
    assertEquals(new ProcessTable.Entry(4182, 'S', 4100, 987654), e);
  }

  /** A stat line through field 52 (exit_code), as Linux 3.5+ writes it. */
  private static byte[] stat(char state, long startTicks, long exitCode) {
    StringBuilder line = new StringBuilder("4182 (python3) ").append(state);
    for (int field = 4; field <= 52; field++) {
      long value = field == 5 ? 4182 : field == 22 ? startTicks : field == 52 ? exitCode : 0;
      line.append(' ').append(value);
    }
    return line.append('\n').toString().getBytes(StandardCharsets.US_ASCII);
  }

  @Test
  void aZombiesExitCodeIsReadInTheJdksTerms() {
    byte[] killed = stat('Z', 987654, 9); // waitpid status: killed by SIGKILL
    assertEquals(
        OptionalInt.of(128 + 9), ProcessTable.zombieExitValue(4182, 987654, killed, killed.length));
    byte[] exited = stat('Z', 987654, 3 << 8); // exit(3)
    assertEquals(
        OptionalInt.of(3), ProcessTable.zombieExitValue(4182, 987654, exited, exited.length));
  }

  @Test
  void aLiveProcessOrALaterOneWithTheSamePidHasNoExitCode() {
    byte[] running = stat('R', 987654, 0);
    assertEquals(
        OptionalInt.empty(), ProcessTable.zombieExitValue(4182, 987654, running, running.length));
    byte[] later = stat('Z', 999999, 9);
    assertEquals(
        OptionalInt.empty(), ProcessTable.zombieExitValue(4182, 987654, later, later.length));
  }

  @Test
  void thisProcessIsInTheTable() {
    long self = ProcessHandle.current().pid();
    assertTrue(ProcessTable.all().stream().anyMatch(e -> e.pid() == self));
    assertEquals(self, ProcessTable.read(self).orElseThrow().pid());
  }
}
