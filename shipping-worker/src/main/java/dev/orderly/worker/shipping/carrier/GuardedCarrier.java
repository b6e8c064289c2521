package dev.orderly.worker.shipping.carrier;

import dev.orderly.messaging.consumer.TransientFailure;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.github.resilience4j.ratelimiter.RateLimiter;
import io.github.resilience4j.ratelimiter.RateLimiterRegistry;
import io.github.resilience4j.timelimiter.TimeLimiter;
import io.github.resilience4j.timelimiter.TimeLimiterRegistry;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Every booking with the carrier, through resilience4j's instances named {@value #INSTANCE}: a rate limiter (we never send
 * the carrier more than it allows), a circuit breaker (a failing carrier is left alone for a while), and a time
 * limiter (a hanging call ends).
 *
 * <p>Invariant: unavailability, a timeout, an open circuit or an exhausted rate limit surface as exceptions the
 * messaging runtime classifies as transient ({@code TimeoutException}, {@code CallNotPermittedException},
 * {@code RequestNotPermitted}, {@link TransientFailure}), so the event goes to a retry tier, never to the parking lot.
 */
public class GuardedCarrier implements Carrier, AutoCloseable {

    /** The resilience4j instance name configured in application.yaml. */
    public static final String INSTANCE = "carrier";

    private final Carrier carrier;
    private final CircuitBreaker circuitBreaker;
    private final TimeLimiter timeLimiter;
    private final RateLimiter rateLimiter;
    private final ExecutorService calls = Executors.newVirtualThreadPerTaskExecutor();

    public GuardedCarrier(
            Carrier carrier,
            CircuitBreakerRegistry circuitBreakers,
            TimeLimiterRegistry timeLimiters,
            RateLimiterRegistry rateLimiters) {
        this.carrier = carrier;
        this.circuitBreaker = circuitBreakers.circuitBreaker(INSTANCE);
        this.timeLimiter = timeLimiters.timeLimiter(INSTANCE);
        this.rateLimiter = rateLimiters.rateLimiter(INSTANCE);
    }

    @Override
    public Booking book(BookingRequest request) {
        Callable<Booking> timed = TimeLimiter.decorateFutureSupplier(
                timeLimiter, () -> CompletableFuture.supplyAsync(() -> carrier.book(request), calls));
        Callable<Booking> guarded =
                RateLimiter.decorateCallable(rateLimiter, CircuitBreaker.decorateCallable(circuitBreaker, timed));
        try {
            return guarded.call();
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            // TimeoutException (checked) and friends: keep the cause, which the classifier recognises.
            throw new TransientFailure("The carrier booking for " + request.idempotencyKey() + " failed: " + e, e);
        }
    }

    /** The circuit breaker, for operators and tests. */
    public CircuitBreaker circuitBreaker() {
        return circuitBreaker;
    }

    @Override
    public void close() {
        calls.close();
    }
}
