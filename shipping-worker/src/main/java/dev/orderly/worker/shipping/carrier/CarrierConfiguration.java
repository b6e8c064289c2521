package dev.orderly.worker.shipping.carrier;

import dev.orderly.messaging.resilience.ResilienceRegistries;
import dev.orderly.worker.shipping.ShippingWorkerProperties;
import java.time.Clock;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.PlatformTransactionManager;

/**
 * The carrier the handler calls: the simulator (the only carrier so far), guarded by resilience4j. A real carrier
 * would replace the {@code carrierProvider} bean.
 *
 * <p>Invariant: the handler is only ever given the guarded carrier; the provider is reachable by its qualifier alone.
 */
@Configuration(proxyBeanMethods = false)
@Import(ResilienceRegistries.class)
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
    GuardedCarrier guardedCarrier(@Qualifier("carrierProvider") Carrier provider, ResilienceRegistries resilience) {
        return new GuardedCarrier(provider, resilience.guard(GuardedCarrier.INSTANCE));
    }
}
