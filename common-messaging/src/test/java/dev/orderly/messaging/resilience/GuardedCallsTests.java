package dev.orderly.messaging.resilience;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.orderly.messaging.consumer.TransientFailure;
import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.github.resilience4j.ratelimiter.RateLimiterConfig;
import io.github.resilience4j.ratelimiter.RateLimiterRegistry;
import io.github.resilience4j.ratelimiter.RequestNotPermitted;
import io.github.resilience4j.timelimiter.TimeLimiterConfig;
import io.github.resilience4j.timelimiter.TimeLimiterRegistry;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The guard built from {@link ResilienceRegistries}: it takes the instances of its name, and every way a call fails
 * (open circuit, exhausted rate limit, timeout) surfaces as one of the exceptions the runtime retries.
 */
class GuardedCallsTests {

    private final ResilienceRegistries registries = new ResilienceRegistries(
            CircuitBreakerRegistry.ofDefaults(),
            TimeLimiterRegistry.of(TimeLimiterConfig.custom()
                    .timeoutDuration(Duration.ofMillis(200))
                    .build()),
            RateLimiterRegistry.of(RateLimiterConfig.custom()
                    .limitForPeriod(1)
                    .limitRefreshPeriod(Duration.ofMinutes(10))
                    .timeoutDuration(Duration.ZERO)
                    .build()));

    private final GuardedCalls calls = registries.guard("provider");

    @AfterEach
    void close() {
        calls.close();
    }

    @Test
    void takesTheInstancesOfItsNameFromTheRegistries() {
        assertThat(calls.circuitBreaker()).isSameAs(registries.circuitBreakers().circuitBreaker("provider"));
        assertThat(registries.timeLimiters().getAllTimeLimiters())
                .extracting("name")
                .containsExactly("provider");
        assertThat(registries.rateLimiters().getAllRateLimiters())
                .extracting("name")
                .containsExactly("provider");
    }

    @Test
    void returnsWhatTheProviderReturns() {
        assertThat(calls.call("the call for order-1", () -> "answer")).isEqualTo("answer");
    }

    @Test
    void anOpenCircuitLetsNoCallThrough() {
        AtomicInteger made = new AtomicInteger();
        calls.circuitBreaker().transitionToForcedOpenState();

        assertThatThrownBy(() -> calls.call("the call for order-1", made::incrementAndGet))
                .isInstanceOf(CallNotPermittedException.class);
        assertThat(made).hasValue(0);
    }

    @Test
    void anExhaustedRateLimitRefusesTheCall() {
        calls.call("the first call", () -> "answer");

        assertThatThrownBy(() -> calls.call("the second call", () -> "answer")).isInstanceOf(RequestNotPermitted.class);
    }

    @Test
    void aHangingCallEndsAsATransientFailureCausedByTheTimeout() {
        CountDownLatch never = new CountDownLatch(1);
        try {
            assertThatThrownBy(() -> calls.call("the call for order-1", () -> {
                        try {
                            never.await();
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                        return "too late";
                    }))
                    .isInstanceOf(TransientFailure.class)
                    .hasMessageStartingWith("the call for order-1 failed: ")
                    .hasCauseInstanceOf(TimeoutException.class);
        } finally {
            never.countDown();
        }
    }
}
