package dev.orderly.api;

import dev.orderly.api.backpressure.OutboxBacklog;
import dev.orderly.api.orders.IdempotencyKeyPurge;
import dev.orderly.api.orders.StuckOrders;
import dev.orderly.api.web.RequestBodyLimitFilter;
import dev.orderly.contracts.EventCodec;
import dev.orderly.messaging.outbox.OutboxNotifier;
import dev.orderly.messaging.outbox.OutboxTable;
import dev.orderly.messaging.outbox.OutboxWriter;
import java.time.Clock;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.scheduling.annotation.SchedulingConfigurer;
import tools.jackson.databind.json.JsonMapper;

/** Wires order-api's infrastructure: the clock, the event codec and outbox, the body limit, and scheduled chores. */
@Configuration(proxyBeanMethods = false)
class OrderApiConfiguration {

    @Bean
    Clock clock() {
        return Clock.systemUTC();
    }

    @Bean
    EventCodec eventCodec() {
        return new EventCodec();
    }

    @Bean
    OutboxNotifier outboxNotifier(JdbcTemplate jdbc) {
        return new OutboxNotifier(jdbc);
    }

    @Bean
    OutboxWriter outboxWriter(
            JdbcClient jdbc, EventCodec codec, OrderApiProperties properties, OutboxNotifier notifier) {
        return new OutboxWriter(jdbc, codec, OutboxTable.parse(properties.outboxTable()), notifier);
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
