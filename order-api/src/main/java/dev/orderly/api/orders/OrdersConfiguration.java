package dev.orderly.api.orders;

import dev.orderly.api.OrderApiProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.scheduling.annotation.SchedulingConfigurer;

/**
 * The orders package's chores: expired idempotency keys are purged every
 * {@code orderly.api.idempotency.purge-interval}, stuck orders counted every
 * {@code orderly.api.stuck-orders.sample-interval}.
 */
@Configuration(proxyBeanMethods = false)
class OrdersConfiguration {

    @Bean
    SchedulingConfigurer orderChores(IdempotencyKeyPurge purge, StuckOrders stuck, OrderApiProperties properties) {
        return registrar -> {
            registrar.addFixedDelayTask(purge::run, properties.idempotency().purgeInterval());
            registrar.addFixedDelayTask(stuck::sample, properties.stuckOrders().sampleInterval());
        };
    }
}
