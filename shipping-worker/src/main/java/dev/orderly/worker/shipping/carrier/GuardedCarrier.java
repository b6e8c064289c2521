package dev.orderly.worker.shipping.carrier;

import dev.orderly.messaging.resilience.GuardedCalls;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;

/**
 * Every booking with the carrier, through resilience4j's instances named {@value #INSTANCE} (rate limiter, circuit
 * breaker, time limiter; see {@link GuardedCalls}).
 *
 * <p>Invariant: unavailability, a timeout, an open circuit or an exhausted rate limit are transient failures, so the
 * event goes to a retry tier, never to the parking lot.
 */
public class GuardedCarrier implements Carrier, AutoCloseable {

    /** The resilience4j instance name configured in application.yaml. */
    static final String INSTANCE = "carrier";

    private final Carrier carrier;
    private final GuardedCalls calls;

    /** @param calls the guard of {@value #INSTANCE}, closed with this carrier */
    GuardedCarrier(Carrier carrier, GuardedCalls calls) {
        this.carrier = carrier;
        this.calls = calls;
    }

    @Override
    public Booking book(BookingRequest request) {
        return calls.call("The carrier booking for " + request.idempotencyKey(), () -> carrier.book(request));
    }

    /** The circuit breaker, for operators and tests. */
    public CircuitBreaker circuitBreaker() {
        return calls.circuitBreaker();
    }

    @Override
    public void close() {
        calls.close();
    }
}
