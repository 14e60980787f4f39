package dev.tandem.supervisor.process;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class StderrLinesTest {

  private static void write(StderrLines out, String text) {
    byte[] b = text.getBytes(StandardCharsets.UTF_8);
    out.write(b, 0, b.length);
  }

  @Test
  void linesAreCutAcrossWritesAndALastPartialLineCountsAtTheEnd() {
    List<String> lines = new ArrayList<>();
    StderrLines out = new StderrLines(lines::add);
    write(out, "first li");
    write(out, "ne\r\nsecond\nthi");
    out.write('r');
    out.write('d');
    out.close();
    assertEquals(List.of("first line", "second", "third"), lines);
  }

  @Test
  void aLineWithoutEndKeepsItsFirstSixteenKibibytesAndNoMoreMemory() {
    List<String> lines = new ArrayList<>();
    StderrLines out = new StderrLines(lines::add);
    byte[] chunk = "x".repeat(8192).getBytes(StandardCharsets.UTF_8);
    for (int i = 0; i < 1000; i++) out.write(chunk, 0, chunk.length); // 8 MiB without a newline
    write(out, "\nafter\n");
    assertEquals(2, lines.size());
    assertEquals(StderrLines.MAX_LINE, lines.get(0).length());
    assertEquals("after", lines.get(1));
  }
}
