package dev.orderly.worker.shipping.shipments;

import dev.orderly.contracts.PaymentAuthorized;
import dev.orderly.messaging.consumer.InboundEvent;
import org.springframework.stereotype.Component;

/**
 * The events shipping-worker consumes from {@code shipping.work}, each handed to {@link ShipmentService}.
 *
 * <p>Thin on purpose: acking, retrying and parking belong to the messaging runtime.
 */
@Component
public class ShipmentListener {

    private final ShipmentService shipments;

    ShipmentListener(ShipmentService shipments) {
        this.shipments = shipments;
    }

    public void onPaymentAuthorized(InboundEvent<PaymentAuthorized> event) {
        shipments.book(event);
    }
}
