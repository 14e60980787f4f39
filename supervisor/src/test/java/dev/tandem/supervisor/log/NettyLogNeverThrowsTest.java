package dev.tandem.supervisor.log;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;

import io.netty.util.internal.logging.InternalLogger;
import io.netty.util.internal.logging.InternalLoggerFactory;
import org.junit.jupiter.api.Test;

/**
 * Netty reports a failed accept from the acceptor thread; a record that throws there (as
 * java.util.logging's formatter did at the fd limit, with NoClassDefFoundError) ends that thread.
 */
class NettyLogNeverThrowsTest {

  @Test
  void aRecordWhoseArgumentThrowsOnFormattingIsDroppedNotThrown() {
    NettyLog.install();
    InternalLogger logger =
        InternalLoggerFactory.getInstance("io.netty.channel.nio.AbstractNioMessageChannel");
    Object poisoned =
        new Object() {
          @Override
          public String toString() {
            throw new NoClassDefFoundError(
                "java/time/zone/ZoneRulesProvider (no file descriptor left)");
          }
        };
    assertDoesNotThrow(
        () -> logger.warn("Failed to create a new channel from an accepted socket: {}", poisoned));
    assertDoesNotThrow(
        () -> logger.error("{} and {}", poisoned, poisoned, new RuntimeException("cause")));
    assertDoesNotThrow(
        () -> logger.warn("accept failed", new java.io.IOException("Too many open files")));
  }
}
