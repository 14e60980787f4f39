package dev.tandem.supervisor.pool;

import java.time.Duration;
import java.util.List;

/**
 * A pool's reload that went through: every slot now runs a worker started on the current code.
 * {@code draining} old workers may still be finishing calls they took before; they stop once those
 * are answered.
 */
public record Reloaded(
    String pool,
    int generation,
    List<Long> oldPids,
    List<Long> newPids,
    int draining,
    Offer before,
    Offer after,
    Duration took) {}
