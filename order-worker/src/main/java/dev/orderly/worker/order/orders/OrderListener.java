package dev.orderly.worker.order.orders;

import dev.orderly.contracts.InventoryRejected;
import dev.orderly.contracts.OrderCreated;
import dev.orderly.contracts.PaymentAuthorized;
import dev.orderly.contracts.PaymentDeclined;
import dev.orderly.contracts.ShipmentScheduled;
import dev.orderly.messaging.consumer.InboundEvent;
import org.springframework.stereotype.Component;

/**
 * The events order-worker consumes from {@code order.work}, each handed to {@link OrderLifecycle}.
 *
 * <p>Thin on purpose: acking, retrying and parking belong to the messaging runtime, which calls these methods inside
 * the transaction that records the event as processed.
 */
@Component
public class OrderListener {

    private final OrderLifecycle lifecycle;

    OrderListener(OrderLifecycle lifecycle) {
        this.lifecycle = lifecycle;
    }

    public void onOrderCreated(InboundEvent<OrderCreated> event) {
        lifecycle.markReserved(event.data(), event);
    }

    public void onInventoryRejected(InboundEvent<InventoryRejected> event) {
        lifecycle.markRejected(event.data(), event);
    }

    public void onPaymentAuthorized(InboundEvent<PaymentAuthorized> event) {
        lifecycle.markPaid(event.data(), event);
    }

    public void onPaymentDeclined(InboundEvent<PaymentDeclined> event) {
        lifecycle.markCancelled(event.data(), event);
    }

    public void onShipmentScheduled(InboundEvent<ShipmentScheduled> event) {
        lifecycle.markShipped(event.data(), event);
    }
}
