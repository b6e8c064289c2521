package dev.orderly.relay.publishing;

import dev.orderly.messaging.outbox.OutboxTable;
import dev.orderly.relay.DedicatedConnections;
import dev.orderly.relay.RelayProperties;
import dev.orderly.relay.broker.BrokerGate;
import dev.orderly.relay.lease.AdvisoryLease;
import dev.orderly.relay.lease.Partitioning;
import dev.orderly.relay.outbox.OutboxRows;
import dev.orderly.relay.routes.RouteGuard;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.springframework.amqp.rabbit.core.RabbitOperations;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.simple.JdbcClient;

/** Wires one drainer per partition of each configured outbox table into the {@link Relay}. */
@Configuration(proxyBeanMethods = false)
class PublishingConfiguration {

    /** Beyond the confirm timeout, what a drainer may need to mark its last batch and release its lease. */
    private static final Duration STOP_MARGIN = Duration.ofSeconds(5);

    @Bean
    Relay relay(
            RelayProperties properties,
            RabbitOperations rabbit,
            BrokerGate gate,
            CircuitBreakerRegistry circuitBreakers,
            JdbcClient jdbc,
            DedicatedConnections connections,
            MeterRegistry meters,
            RouteGuard routes) {
        RelayProperties.Publish publish = properties.publish();
        ConfirmedPublisher publisher = new ConfirmedPublisher(
                rabbit,
                properties.exchange(),
                publish.maxInFlight(),
                publish.confirmTimeout(),
                publish.markLinger(),
                routes);
        TableDrainer.Settings settings = new TableDrainer.Settings(
                publish.batchSize(),
                properties.wakeup().pollInterval(),
                properties.lease().retryInterval(),
                properties.lease().verifyInterval(),
                publish.skippedRowTimeout(),
                new Backoff(
                        properties.failures().backoffInitial(),
                        properties.failures().backoffMax()),
                properties.failures().flagAfterAttempts());
        List<TableDrainer> drainers = new ArrayList<>();
        for (OutboxTable table : properties.outboxTables()) {
            // The partitions of a table share its breaker and its meters; each has its drainer, lease and session.
            Partitioning partitioning = new Partitioning(
                    table,
                    properties.partitions(),
                    connections.instanceId(),
                    properties.lease().retryInterval());
            CircuitBreaker breaker = circuitBreakers.circuitBreaker(circuitBreakerName(table));
            TableMetrics metrics = new TableMetrics(meters, table);
            for (int index = 0; index < partitioning.count(); index++) {
                drainers.add(new TableDrainer(
                        new OutboxRows(partitioning.partition(index), jdbc),
                        new AdvisoryLease(
                                index,
                                partitioning,
                                connections,
                                properties.lease().checkTimeout()),
                        publisher,
                        gate,
                        breaker,
                        metrics,
                        settings));
            }
        }
        Relay relay = new Relay(drainers, publish.confirmTimeout().plus(STOP_MARGIN), meters);
        gate.onReopen(relay::resumeAll);
        routes.onRestored(relay::resumeAll);
        return relay;
    }

    /**
     * The resilience4j circuit breaker of one table, {@code relay-<schema>.<table>}, configured by {@code
     * resilience4j.circuitbreaker.configs.default} unless an instance of that name is configured. One per table rather
     * than one for the broker: a queue refusing one table's events (a full queue with {@code reject-publish} nacks
     * them) must not stop the other tables.
     */
    static String circuitBreakerName(OutboxTable table) {
        return "relay-" + table.qualifiedName();
    }
}
