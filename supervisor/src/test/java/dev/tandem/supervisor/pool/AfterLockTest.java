package dev.tandem.supervisor.pool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class AfterLockTest {

  @Test
  void effectsRunInOrderAndOneThatThrowsDoesNotStopTheRest() {
    Object lock = new Object();
    List<String> ran = new ArrayList<>();
    AfterLock after = new AfterLock(lock);
    after.add(() -> ran.add("write"));
    after.add(
        () -> {
          throw new IllegalStateException("a broken callback");
        });
    after.add(() -> ran.add("complete"));

    after.run();

    assertEquals(List.of("write", "complete"), ran);
  }

  @Test
  void effectsRunUnderThePoolsLockAreRefused() {
    Object lock = new Object();
    List<String> ran = new ArrayList<>();
    AfterLock after = new AfterLock(lock);
    after.add(() -> ran.add("write to a pipe that may block"));

    synchronized (lock) {
      assertThrows(IllegalStateException.class, after::run);
    }
    assertEquals(List.of(), ran);
  }
}
