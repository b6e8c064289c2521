package dev.orderly.worker.payment.gateway;

import dev.orderly.worker.payment.PaymentWorkerProperties;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.github.resilience4j.ratelimiter.RateLimiterRegistry;
import io.github.resilience4j.timelimiter.TimeLimiterRegistry;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.PlatformTransactionManager;

/**
 * The gateway the handler calls: the simulator (the only provider so far), guarded by resilience4j. A real provider
 * would replace the {@code paymentProvider} bean.
 */
@Configuration(proxyBeanMethods = false)
class GatewayConfiguration {

    @Bean
    PaymentGateway paymentProvider(
            JdbcClient jdbc, PlatformTransactionManager transactions, PaymentWorkerProperties properties) {
        return new SimulatedPaymentGateway(jdbc, transactions, properties.simulator());
    }

    @Bean(destroyMethod = "close")
    GuardedPaymentGateway guardedPaymentGateway(
            @Qualifier("paymentProvider") PaymentGateway provider,
            CircuitBreakerRegistry circuitBreakers,
            TimeLimiterRegistry timeLimiters,
            RateLimiterRegistry rateLimiters) {
        return new GuardedPaymentGateway(provider, circuitBreakers, timeLimiters, rateLimiters);
    }
}
