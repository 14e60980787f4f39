package dev.tandem.supervisor.log;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class LogTimestampTest {

  private static String stamp(Instant t) {
    StringBuilder b = new StringBuilder();
    Log.timestamp(b, t);
    return b.toString();
  }

  @Test
  void aRecordsTimeReadsAsInstantToStringHasIt() {
    SplittableRandom random = new SplittableRandom(13);
    long now = Instant.now().getEpochSecond();
    for (int i = 0; i < 20_000; i++) {
      long second = now + random.nextLong(-3, 4); // the cached second changes often, back and forth
      int nanos =
          switch (i % 4) {
            case 0 -> 0;
            case 1 -> random.nextInt(1000) * 1_000_000;
            case 2 -> random.nextInt(1_000_000) * 1_000;
            default -> random.nextInt(1_000_000_000);
          };
      Instant t = Instant.ofEpochSecond(second, nanos);
      assertEquals(t.toString(), stamp(t));
    }
    for (Instant t :
        new Instant[] {
          Instant.EPOCH,
          Instant.ofEpochSecond(0, 1),
          Instant.parse("1999-12-31T23:59:59.999999999Z"),
          Instant.parse("+12345-01-01T00:00:00.010Z"),
          Instant.now()
        }) {
      assertEquals(t.toString(), stamp(t));
    }
  }

  @Test
  void aTextRecordHasTheTimeLevelFieldsAndOneLine() {
    String line = Log.text(Log.Level.INFO, "notes", 2, 77, "stderr: a\nb");
    assertTrue(
        line.matches(
            "\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d(\\.\\d+)?Z INFO tandem pool=notes worker=2 pid=77 stderr: a\u2424b"),
        line);
    assertTrue(Log.text(Log.Level.WARN, null, 0, 0, "x").endsWith("Z WARN tandem x"));
  }
}
