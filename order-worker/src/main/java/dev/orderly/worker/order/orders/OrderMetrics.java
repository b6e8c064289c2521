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
 * a state they do not apply to and were acknowledged with a timeline note), {@code orderly.order.shipments.held}
 * (counter, tag outcome: {@code held} when a shipment arrived before its order's payment and was kept,
 * {@code applied} when the payment then applied it).
 *
 * <p>Invariant: a completion or a held shipment is recorded only once its transaction committed, so a rolled-back
 * attempt that is retried is counted once.
 */
@Component
class OrderMetrics {

    private final MeterRegistry registry;
    private final Counter shipmentsHeld;
    private final Counter heldShipmentsApplied;

    OrderMetrics(MeterRegistry registry) {
        this.registry = registry;
        this.shipmentsHeld = heldShipments(registry, "held");
        this.heldShipmentsApplied = heldShipments(registry, "applied");
    }

    private static Counter heldShipments(MeterRegistry registry, String outcome) {
        return Counter.builder("orderly.order.shipments.held")
                .description("Shipments that arrived before their order's payment: kept, and later applied with it")
                .tag("outcome", outcome)
                .register(registry);
    }

    void completedAfterCommit(OrderStatus outcome, Duration sinceCreated) {
        Timer timer = Timer.builder("orderly.order.completion")
                .description("Time from an order's creation to its final state")
                .tag("outcome", outcome.name().toLowerCase(Locale.ROOT))
                .publishPercentileHistogram()
                .register(registry);
        afterCommit(() -> timer.record(sinceCreated.isNegative() ? Duration.ZERO : sinceCreated));
    }

    private static void afterCommit(Runnable action) {
        TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
            @Override
            public void afterCommit() {
                action.run();
            }
        });
    }

    void shipmentHeldAfterCommit() {
        afterCommit(shipmentsHeld::increment);
    }

    void heldShipmentAppliedAfterCommit() {
        afterCommit(heldShipmentsApplied::increment);
    }

    /** Counted after the commit, like the others: a batch that rolls back is applied again, delivery by delivery. */
    void skippedAfterCommit(String eventType, OrderStatus status) {
        Counter counter = Counter.builder("orderly.order.transitions.skipped")
                .description("Events acknowledged without a transition because the order was in another state")
                .tag("event_type", eventType)
                .tag("status", status.name())
                .register(registry);
        afterCommit(counter::increment);
    }
}
