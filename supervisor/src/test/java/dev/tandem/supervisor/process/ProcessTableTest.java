package dev.tandem.supervisor.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
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

  @Test
  void thisProcessIsInTheTable() {
    long self = ProcessHandle.current().pid();
    assertTrue(ProcessTable.all().stream().anyMatch(e -> e.pid() == self));
    assertEquals(self, ProcessTable.read(self).orElseThrow().pid());
  }
}
