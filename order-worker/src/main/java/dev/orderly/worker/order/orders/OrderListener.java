package dev.orderly.worker.order.orders;

import dev.orderly.contracts.InventoryRejected;
import dev.orderly.contracts.OrderCreated;
import dev.orderly.contracts.PaymentAuthorized;
import dev.orderly.contracts.PaymentDeclined;
import dev.orderly.contracts.ShipmentScheduled;
import dev.orderly.messaging.consumer.InboundEvent;
import org.springframework.stereotype.Component;

/**
 * The events order-worker consumes from {@code order.work}: one {@code on} per payload type, each the transition of
 * {@link OrderLifecycle} it asks for; {@link OrdersConfiguration} registers them as the worker's handlers.
 *
 * <p>Invariant: thin on purpose; acking, retrying and parking belong to the messaging runtime, which calls these
 * methods inside the transaction that records the event as processed.
 */
@Component
class OrderListener {

    private final OrderLifecycle lifecycle;

    OrderListener(OrderLifecycle lifecycle) {
        this.lifecycle = lifecycle;
    }

    void on(OrderCreated order, InboundEvent<?> event) {
        lifecycle.markReserved(order, event);
    }

    void on(InventoryRejected rejection, InboundEvent<?> event) {
        lifecycle.markRejected(rejection, event);
    }

    void on(PaymentAuthorized payment, InboundEvent<?> event) {
        lifecycle.markPaid(payment, event);
    }

    void on(PaymentDeclined decline, InboundEvent<?> event) {
        lifecycle.markCancelled(decline, event);
    }

    void on(ShipmentScheduled shipment, InboundEvent<?> event) {
        lifecycle.markShipped(shipment, event);
    }
}
