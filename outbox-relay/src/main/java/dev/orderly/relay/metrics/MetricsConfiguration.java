package dev.orderly.relay.metrics;

import dev.orderly.relay.RelayProperties;
import dev.orderly.relay.outbox.OutboxRows;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.scheduling.annotation.SchedulingConfigurer;

/** Registers the backlog gauges of every configured outbox table and schedules their measurement. */
@Configuration(proxyBeanMethods = false)
class MetricsConfiguration {

    @Bean
    BacklogGauges backlogGauges(RelayProperties properties, JdbcClient jdbc, MeterRegistry meters) {
        return new BacklogGauges(
                properties.outboxTables().stream()
                        .map(table -> new OutboxRows(table, jdbc))
                        .toList(),
                properties.metrics().backlogCountLimit(),
                meters);
    }

    @Bean
    SchedulingConfigurer backlogSchedule(BacklogGauges gauges, RelayProperties properties) {
        return registrar -> registrar.addFixedDelayTask(
                gauges::refresh, properties.metrics().refreshInterval());
    }
}
