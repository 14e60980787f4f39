package dev.tandem.supervisor.session;

import java.security.SecureRandom;

/**
 * The daemon's one {@link SecureRandom}, made on first use: seeding it loads the security providers
 * (15-20 ms at start on a small machine), which a session-era host on stdio never needs and which
 * must not stand between exec and the answer to {@code initialize}. Thread-safe.
 */
public final class Secure {

  public static final SecureRandom RANDOM = new SecureRandom();

  private Secure() {}
}
