package dev.orderly.messaging.resilience;

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
import java.util.function.Supplier;

/**
 * Calls to one external provider (a payment gateway, a carrier) through resilience4j's instances of one name: a rate
 * limiter (we never send the provider more than it allows), a circuit breaker (a failing provider is left alone for a
 * while), and a time limiter (a hanging call ends; it runs on a virtual thread of its own so the caller can stop
 * waiting).
 *
 * <p>Invariant: unavailability, a timeout, an open circuit or an exhausted rate limit surface as exceptions the
 * messaging runtime classifies as transient ({@code TimeoutException}, {@code CallNotPermittedException},
 * {@code RequestNotPermitted}, {@link TransientFailure}), so the event goes to a retry tier, never to the parking lot.
 * What the provider returns — a decline included — is a result and does not count against the circuit.
 */
public final class GuardedCalls implements AutoCloseable {

    private final CircuitBreaker circuitBreaker;
    private final TimeLimiter timeLimiter;
    private final RateLimiter rateLimiter;
    private final ExecutorService calls = Executors.newVirtualThreadPerTaskExecutor();

    /** @param instance the resilience4j instance name, configured under {@code resilience4j.*.instances} */
    public GuardedCalls(
            String instance,
            CircuitBreakerRegistry circuitBreakers,
            TimeLimiterRegistry timeLimiters,
            RateLimiterRegistry rateLimiters) {
        this.circuitBreaker = circuitBreakers.circuitBreaker(instance);
        this.timeLimiter = timeLimiters.timeLimiter(instance);
        this.rateLimiter = rateLimiters.rateLimiter(instance);
    }

    /**
     * Makes the call through the rate limiter, the circuit breaker and the time limiter.
     *
     * @param what names the call in the failure's message, e.g. "the payment gateway call for order-1"
     */
    public <T> T call(String what, Supplier<T> call) {
        Callable<T> timed =
                TimeLimiter.decorateFutureSupplier(timeLimiter, () -> CompletableFuture.supplyAsync(call, calls));
        Callable<T> guarded =
                RateLimiter.decorateCallable(rateLimiter, CircuitBreaker.decorateCallable(circuitBreaker, timed));
        try {
            return guarded.call();
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            // TimeoutException (checked) and friends: keep the cause, which the classifier recognises.
            throw new TransientFailure(what + " failed: " + e, e);
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
