package dev.orderly.worker.payment.payments;

import dev.orderly.contracts.InventoryReserved;
import dev.orderly.messaging.consumer.InboundEvent;
import java.util.List;
import org.springframework.stereotype.Component;

/**
 * The events payment-worker consumes from {@code payment.work}: one {@code on} per payload type, each handed to
 * {@link PaymentService}; {@link PaymentsConfiguration} registers them as the worker's handlers.
 *
 * <p>Invariant: thin on purpose; acking, retrying and parking belong to the messaging runtime.
 */
@Component
class PaymentListener {

    private final PaymentService payments;

    PaymentListener(PaymentService payments) {
        this.payments = payments;
    }

    void on(InventoryReserved order, InboundEvent<?> event) {
        payments.authorize(order, event);
    }

    /** Before a batch's handlers run: the batch's gateway calls, all at once. */
    void beforeBatch(List<InboundEvent<?>> events) {
        payments.authorizeAhead(events);
    }
}
