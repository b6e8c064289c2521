package dev.orderly.worker.shipping.shipments;

import dev.orderly.contracts.PaymentAuthorized;
import dev.orderly.messaging.consumer.InboundEvent;
import java.util.List;
import org.springframework.stereotype.Component;

/**
 * The events shipping-worker consumes from {@code shipping.work}: one {@code on} per payload type, each handed to
 * {@link ShipmentService}; {@link ShipmentsConfiguration} registers them as the worker's handlers.
 *
 * <p>Invariant: thin on purpose; acking, retrying and parking belong to the messaging runtime.
 */
@Component
class ShipmentListener {

    private final ShipmentService shipments;

    ShipmentListener(ShipmentService shipments) {
        this.shipments = shipments;
    }

    void on(PaymentAuthorized payment, InboundEvent<?> event) {
        shipments.book(payment, event);
    }

    /** Before a batch's handlers run: the batch's carrier bookings, all at once. */
    void beforeBatch(List<InboundEvent<?>> events) {
        shipments.bookAhead(events);
    }
}
