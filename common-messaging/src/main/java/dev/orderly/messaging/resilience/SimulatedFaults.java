package dev.orderly.messaging.resilience;

import dev.orderly.messaging.consumer.TransientFailure;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Function;

/**
 * The settings a built-in provider simulator shares with every other one: how long each call takes, and the share of
 * calls that fail as if the provider were unavailable, so that the guard in front of it ({@link GuardedCalls}) can be
 * exercised. Implemented by each simulator's settings record, which binds them under its own keys.
 *
 * <p>Invariant: a simulated unavailability is a {@link TransientFailure}, thrown before the provider did anything, so
 * retrying it is always safe.
 */
public interface SimulatedFaults {

    /** How long each call takes. */
    Duration latency();

    /** The share of calls (0 to 1) that fail as if the provider were unavailable. */
    double transientFailureRate();

    /**
     * What every simulated call starts with: waits {@link #latency()}, then fails at {@link #transientFailureRate()}.
     *
     * @param provider names the provider in the failure's message, e.g. "payment gateway"
     * @param unavailable the provider's own unavailability, made from the message
     */
    default void beforeCall(String provider, Function<String, ? extends TransientFailure> unavailable) {
        if (!latency().isZero()) {
            // Simulated network and processing time of a real provider.
            LockSupport.parkNanos(latency().toNanos());
        }
        if (transientFailureRate() > 0 && ThreadLocalRandom.current().nextDouble() < transientFailureRate()) {
            throw unavailable.apply("The simulated " + provider + " is unavailable (configured transient-failure rate "
                    + transientFailureRate() + ")");
        }
    }
}
