package dev.orderly.contracts;

import java.util.UUID;

/**
 * {@value EventTypes#PAYMENT_AUTHORIZED} v1: the charge for an order was taken (the gateway's idempotency key
 * is the order id).
 *
 * <p>Invariant: every field is present, ids are 1 to 64 characters, the amount is 0 or more cents and the
 * currency three upper-case letters.
 */
public record PaymentAuthorized(UUID orderId, String paymentId, String customerId, long amountCents, String currency)
        implements EventData {

    public PaymentAuthorized {
        Checks.notNull(orderId, "order_id");
        Checks.text(paymentId, "payment_id", Checks.ID_MAX_LENGTH);
        Checks.text(customerId, "customer_id", Checks.ID_MAX_LENGTH);
        Checks.cents(amountCents, "amount_cents");
        Checks.currency(currency);
    }

    @Override
    public String eventType() {
        return EventTypes.PAYMENT_AUTHORIZED;
    }

    @Override
    public int eventVersion() {
        return 1;
    }
}
