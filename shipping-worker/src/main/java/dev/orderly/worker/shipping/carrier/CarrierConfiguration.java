package dev.orderly.worker.shipping.carrier;

import dev.orderly.worker.shipping.ShippingWorkerProperties;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.github.resilience4j.ratelimiter.RateLimiterRegistry;
import io.github.resilience4j.timelimiter.TimeLimiterRegistry;
import java.time.Clock;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.PlatformTransactionManager;

/**
 * The carrier the handler calls: the simulator (the only carrier so far), guarded by resilience4j. A real carrier
 * would replace the {@code carrierProvider} bean.
 */
@Configuration(proxyBeanMethods = false)
class CarrierConfiguration {

    @Bean
    Carrier carrierProvider(
            JdbcClient jdbc,
            PlatformTransactionManager transactions,
            ShippingWorkerProperties properties,
            Clock clock) {
        return new SimulatedCarrier(jdbc, transactions, properties.simulator(), clock);
    }

    @Bean(destroyMethod = "close")
    GuardedCarrier guardedCarrier(
            @Qualifier("carrierProvider") Carrier provider,
            CircuitBreakerRegistry circuitBreakers,
            TimeLimiterRegistry timeLimiters,
            RateLimiterRegistry rateLimiters) {
        return new GuardedCarrier(provider, circuitBreakers, timeLimiters, rateLimiters);
    }
}
