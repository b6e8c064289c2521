package dev.orderly.worker.order.orders;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Locale;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * {@code orderly.order.completion} (timer, tag outcome: from creation to SHIPPED, REJECTED or CANCELLED) and
 * {@code orderly.order.transitions.skipped} (counter, tags event_type and status: events that arrived for an order in
 * a state they do not apply to and were acknowledged with a timeline note).
 *
 * <p>Invariant: a completion is recorded only once its transaction committed, so a rolled-back attempt that is
 * retried is counted once.
 */
@Component
class OrderMetrics {

    private final MeterRegistry registry;

    OrderMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    void completedAfterCommit(OrderStatus outcome, Duration sinceCreated) {
        Timer timer = Timer.builder("orderly.order.completion")
                .description("Time from an order's creation to its final state")
                .tag("outcome", outcome.name().toLowerCase(Locale.ROOT))
                .publishPercentileHistogram()
                .register(registry);
        TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
            @Override
            public void afterCommit() {
                timer.record(sinceCreated.isNegative() ? Duration.ZERO : sinceCreated);
            }
        });
    }

    void skipped(String eventType, OrderStatus status) {
        Counter.builder("orderly.order.transitions.skipped")
                .description("Events acknowledged without a transition because the order was in another state")
                .tag("event_type", eventType)
                .tag("status", status.name())
                .register(registry)
                .increment();
    }
}
