package dev.orderly.messaging.resilience;

import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.github.resilience4j.ratelimiter.RateLimiterRegistry;
import io.github.resilience4j.timelimiter.TimeLimiterRegistry;

/**
 * resilience4j's registries of circuit breakers, time limiters and rate limiters, as its Spring Boot starter builds them
 * from {@code resilience4j.*.instances}: where every provider's {@link GuardedCalls} take their instances from. A
 * service that guards a provider imports this record as a bean ({@code @Import(ResilienceRegistries.class)}) and asks
 * it for the provider's guard.
 *
 * <p>Invariant: a guard's three instances come from the service's registries, so the instance name configured under
 * {@code resilience4j.*.instances} applies to it, and {@code /actuator/circuitbreakers} and the
 * {@code resilience4j_*} metrics show it.
 */
public record ResilienceRegistries(
        CircuitBreakerRegistry circuitBreakers, TimeLimiterRegistry timeLimiters, RateLimiterRegistry rateLimiters) {

    /**
     * The calls to one provider, guarded by the instances named {@code instance}; the caller closes them.
     *
     * @param instance the resilience4j instance name, configured under {@code resilience4j.*.instances}
     */
    public GuardedCalls guard(String instance) {
        return new GuardedCalls(instance, circuitBreakers, timeLimiters, rateLimiters);
    }
}
