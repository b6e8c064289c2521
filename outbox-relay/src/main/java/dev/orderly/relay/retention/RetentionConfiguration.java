package dev.orderly.relay.retention;

import dev.orderly.messaging.outbox.OutboxTable;
import dev.orderly.relay.RelayProperties;
import dev.orderly.relay.outbox.OutboxRows;
import dev.orderly.relay.publishing.Relay;
import dev.orderly.relay.publishing.TableStatus;
import java.util.List;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.scheduling.annotation.SchedulingConfigurer;

/** Schedules the retention purge of every configured outbox table. */
@Configuration(proxyBeanMethods = false)
class RetentionConfiguration {

    /** 100 batches of the default 1,000 rows: 100,000 rows per table and run, then the scheduler moves on. */
    private static final int MAX_BATCHES_PER_RUN = 100;

    @Bean
    RetentionPurge retentionPurge(RelayProperties properties, JdbcClient jdbc, Relay relay) {
        List<OutboxRows> tables = properties.outboxTables().stream()
                .map(table -> new OutboxRows(table, jdbc))
                .toList();
        RelayProperties.Retention retention = properties.retention();
        return new RetentionPurge(
                tables,
                rows -> isActive(relay, rows.table()),
                retention.keep(),
                retention.batchSize(),
                MAX_BATCHES_PER_RUN);
    }

    @Bean
    SchedulingConfigurer retentionSchedule(RetentionPurge purge, RelayProperties properties) {
        return registrar ->
                registrar.addFixedDelayTask(purge::run, properties.retention().interval());
    }

    /** Whether this instance holds the lease of the table's first partition (the whole table unless it is divided). */
    private static boolean isActive(Relay relay, OutboxTable table) {
        return relay.statuses().stream()
                .filter(status ->
                        status.table().equals(table) && status.partition().index() == 0)
                .anyMatch(TableStatus::active);
    }
}
