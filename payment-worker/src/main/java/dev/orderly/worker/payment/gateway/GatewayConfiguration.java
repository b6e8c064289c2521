package dev.orderly.worker.payment.gateway;

import dev.orderly.messaging.resilience.ResilienceRegistries;
import dev.orderly.worker.payment.PaymentWorkerProperties;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.PlatformTransactionManager;

/**
 * The gateway the handler calls: the simulator (the only provider so far), guarded by resilience4j. A real provider
 * would replace the {@code paymentProvider} bean.
 *
 * <p>Invariant: the handler is only ever given the guarded gateway; the provider is reachable by its qualifier alone.
 */
@Configuration(proxyBeanMethods = false)
@Import(ResilienceRegistries.class)
class GatewayConfiguration {

    @Bean
    PaymentGateway paymentProvider(
            JdbcClient jdbc, PlatformTransactionManager transactions, PaymentWorkerProperties properties) {
        return new SimulatedPaymentGateway(jdbc, transactions, properties.simulator());
    }

    @Bean(destroyMethod = "close")
    GuardedPaymentGateway guardedPaymentGateway(
            @Qualifier("paymentProvider") PaymentGateway provider, ResilienceRegistries resilience) {
        return new GuardedPaymentGateway(provider, resilience.guard(GuardedPaymentGateway.INSTANCE));
    }
}
