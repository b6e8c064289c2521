package dev.orderly.api;

import dev.orderly.api.backpressure.OutboxBacklog;
import dev.orderly.api.orders.IdempotencyKeyPurge;
import dev.orderly.api.orders.StuckOrders;
import dev.orderly.api.web.RequestBodyLimitFilter;
import java.time.Clock;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.scheduling.annotation.SchedulingConfigurer;
import tools.jackson.databind.json.JsonMapper;

/**
 * Wires order-api's infrastructure: the clock, the body limit and the scheduled chores. The outbox writer and the
 * event codec come from common-messaging's outbox auto-configuration ({@code orderly.outbox.table}).
 */
@Configuration(proxyBeanMethods = false)
class OrderApiConfiguration {

    @Bean
    Clock clock() {
        return Clock.systemUTC();
    }

    @Bean
    FilterRegistrationBean<RequestBodyLimitFilter> requestBodyLimitFilter(
            OrderApiProperties properties, JsonMapper json) {
        var registration = new FilterRegistrationBean<>(
                new RequestBodyLimitFilter(properties.maxRequestBody().toBytes(), json));
        registration.setOrder(Ordered.HIGHEST_PRECEDENCE + 10);
        return registration;
    }

    @Bean
    SchedulingConfigurer orderApiChores(
            OutboxBacklog backlog, IdempotencyKeyPurge purge, StuckOrders stuck, OrderApiProperties properties) {
        return registrar -> {
            registrar.addFixedDelayTask(
                    backlog::sample, properties.backpressure().sampleInterval());
            registrar.addFixedDelayTask(purge::run, properties.idempotency().purgeInterval());
            registrar.addFixedDelayTask(stuck::sample, properties.stuckOrders().sampleInterval());
        };
    }
}
