package dev.tandem.supervisor.pool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class RestartPolicyTest {

  private static final Instant T0 = Instant.parse("2025-01-01T00:00:00Z");
  private static final Duration BRIEF = Duration.ofMillis(50);

  @Test
  void theFirstRestartIsImmediateThenBackoffDoublesWithAtMostHalfAgainAsJitterAndIsCapped() {
    assertEquals(
        Duration.ZERO, RestartPolicy.backoff(1), "one death after a good run is replaced at once");
    for (int failures = 2; failures <= 20; failures++) {
      long base =
          Math.min(
              RestartPolicy.BACKOFF_MIN.toMillis() << Math.min(failures - 2, 16),
              RestartPolicy.BACKOFF_MAX.toMillis());
      for (int i = 0; i < 50; i++) {
        long ms = RestartPolicy.backoff(failures).toMillis();
        assertTrue(
            ms >= base && ms <= base * 1.5, failures + " failures: " + ms + " ms, base " + base);
      }
    }
    assertEquals(Duration.ZERO, RestartPolicy.backoff(0));
  }

  @Test
  void moreThanMaxRestartsInsideTheWindowPassesTheIntensityLimit() {
    RestartPolicy policy = new RestartPolicy(2, Duration.ofSeconds(10));
    assertFalse(policy.recordDeath(T0, BRIEF));
    assertFalse(policy.recordDeath(T0.plusSeconds(1), BRIEF));
    assertTrue(
        policy.recordDeath(T0.plusSeconds(2), BRIEF), "the third death in 10 s is one too many");
  }

  @Test
  void deathsOlderThanTheWindowNoLongerCount() {
    RestartPolicy policy = new RestartPolicy(2, Duration.ofSeconds(10));
    policy.recordDeath(T0, BRIEF);
    policy.recordDeath(T0.plusSeconds(1), BRIEF);
    assertFalse(
        policy.recordDeath(T0.plusSeconds(12), BRIEF), "the first two have left the window");
    assertEquals(1, policy.recentDeaths());
  }

  @Test
  void aWorkerThatWasStableStartsTheBackoffOver() {
    RestartPolicy policy = new RestartPolicy(100, Duration.ofSeconds(1));
    for (int i = 0; i < 5; i++) policy.recordDeath(T0.plusSeconds(i * 10L), BRIEF);
    assertTrue(policy.backoff().toMillis() >= 800, "five quick deaths back off 0.8 s or more");
    policy.recordDeath(T0.plusSeconds(100), RestartPolicy.STABLE_AFTER.plusSeconds(1));
    assertEquals(
        Duration.ZERO, policy.backoff(), "after a stable run the next restart is immediate again");
  }

  @Test
  void resetForgetsTheHistoryOfAnOpenPool() {
    RestartPolicy policy = new RestartPolicy(1, Duration.ofSeconds(10));
    policy.recordDeath(T0, BRIEF);
    assertTrue(policy.recordDeath(T0, BRIEF));
    policy.reset();
    assertFalse(policy.recordDeath(T0, BRIEF));
  }
}
