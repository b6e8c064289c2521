package dev.orderly.relay.publishing;

import dev.orderly.messaging.outbox.OutboxTable;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The publishing meters of one outbox table (docs/design.md#observability), all tagged {@code source} = the table's
 * qualified name.
 *
 * <p>Invariant: every failure reason's counter exists from the start (at zero), so an alert on a rate of failures has
 * a series to watch before the first failure happens.
 */
final class TableMetrics {

    private final MeterRegistry registry;
    private final String source;
    private final Timer confirm;
    private final Counter leaseChecks;
    private final Map<PublishFailure.Reason, Counter> failures = new EnumMap<>(PublishFailure.Reason.class);
    private final Map<String, Counter> published = new ConcurrentHashMap<>();

    TableMetrics(MeterRegistry registry, OutboxTable table) {
        this.registry = registry;
        this.source = table.qualifiedName();
        this.confirm = Timer.builder("orderly.outbox.confirm")
                .description("Time from publishing an outbox row to the broker's confirm")
                .tag("source", source)
                .publishPercentileHistogram()
                .register(registry);
        this.leaseChecks = Counter.builder("orderly.outbox.lease.checks")
                .description("Round trips that checked this instance still holds the table's lease (a pg_locks "
                        + "query each)")
                .tag("source", source)
                .register(registry);
        for (PublishFailure.Reason reason : PublishFailure.Reason.values()) {
            failures.put(
                    reason,
                    Counter.builder("orderly.outbox.publish.failures")
                            .description("Outbox rows whose publish was not confirmed, by reason")
                            .tag("source", source)
                            .tag("reason", reason.tag())
                            .register(registry));
        }
    }

    Timer confirm() {
        return confirm;
    }

    void leaseChecked() {
        leaseChecks.increment();
    }

    void failed(PublishFailure.Reason reason) {
        failures.get(reason).increment();
    }

    void published(String eventType) {
        published
                .computeIfAbsent(
                        eventType,
                        type -> Counter.builder("orderly.outbox.published")
                                .description("Outbox rows published and confirmed by the broker")
                                .tag("source", source)
                                .tag("event_type", type)
                                .register(registry))
                .increment();
    }
}
