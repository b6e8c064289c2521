package dev.orderly.worker.payment.payments;

import dev.orderly.contracts.InventoryReserved;
import dev.orderly.messaging.consumer.InboundEvent;
import org.springframework.stereotype.Component;

/**
 * The events payment-worker consumes from {@code payment.work}, each handed to {@link PaymentService}.
 *
 * <p>Thin on purpose: acking, retrying and parking belong to the messaging runtime.
 */
@Component
public class PaymentListener {

    private final PaymentService payments;

    PaymentListener(PaymentService payments) {
        this.payments = payments;
    }

    public void onInventoryReserved(InboundEvent<InventoryReserved> event) {
        payments.authorize(event);
    }
}
