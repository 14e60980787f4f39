package dev.tandem.supervisor.session;

import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * Which 2026-07-28 calls a requestState can find: only those that asked the host something (and
 * were registered before their first requestState went out), until they are closed.
 */
class SuspendedCallsTest {

  private final SuspendedCalls calls = new SuspendedCalls(Duration.ofMinutes(1));

  @Test
  void aCallThatNeverAsksIsNeverGivenAHandle() {
    SuspendedCall call = calls.open();
    calls.close(call);
    assertNull(call.handle);
  }

  @Test
  void aRegisteredCallIsFoundByItsHandleUntilClosed() {
    SuspendedCall call = calls.open();
    calls.register(call);
    String handle = call.handle;
    assertNotNull(handle);
    assertSame(call, calls.find(handle));
    calls.register(call); // a second round keeps the handle its first requestState carries
    assertSame(handle, call.handle);
    calls.close(call);
    assertNull(calls.find(handle));
  }

  @Test
  void aCallClosedBeforeItsRegistrationIsNotFound() {
    // The client left while the call's first questions were being gathered: the registration
    // that follows must not leave the call findable (and pinned until its TTL).
    SuspendedCall call = calls.open();
    calls.close(call);
    calls.register(call);
    assertNull(calls.find(call.handle));
  }

  @Test
  void handlesAreNeverReused() {
    SuspendedCall a = calls.open();
    SuspendedCall b = calls.open();
    calls.register(a);
    calls.register(b);
    assertNotEquals(a.handle, b.handle);
  }
}
