package dev.orderly.relay.publishing;

import java.time.Duration;

/**
 * How long a table's drainer pauses after consecutive failures: {@code initial}, doubling per further failure, never
 * more than {@code max}.
 *
 * <p>No jitter: exactly one instance publishes a table at a time, so there is no crowd of retries to spread out.
 */
record Backoff(Duration initial, Duration max) {

    Backoff {
        if (initial.isNegative() || initial.isZero() || max.compareTo(initial) < 0) {
            throw new IllegalArgumentException(("orderly.relay.failures: backoff-initial (%s) must be positive and "
                            + "backoff-max (%s) at least as long")
                    .formatted(initial, max));
        }
    }

    /** The pause after {@code failures} consecutive failures (1 for the first). */
    Duration delay(int failures) {
        if (failures <= 1) {
            return initial;
        }
        int doublings = Math.min(failures - 1, 30);
        long millis = initial.toMillis() << doublings;
        return millis <= 0 || millis >= max.toMillis() ? max : Duration.ofMillis(millis);
    }
}
