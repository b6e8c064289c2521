package dev.orderly.contracts;

import java.util.UUID;

/**
 * {@value EventTypes#PAYMENT_DECLINED} v1: the charge for an order was refused, so its stock is released and
 * the order CANCELLED.
 *
 * <p>Invariant: every field is present, the reason is 1 to 255 characters, the amount is 0 or more cents and
 * the currency three upper-case letters.
 */
public record PaymentDeclined(UUID orderId, String reason, long amountCents, String currency) implements EventData {

    public PaymentDeclined {
        Checks.notNull(orderId, "order_id");
        Checks.text(reason, "reason", Checks.TEXT_MAX_LENGTH);
        Checks.cents(amountCents, "amount_cents");
        Checks.currency(currency);
    }

    @Override
    public String eventType() {
        return EventTypes.PAYMENT_DECLINED;
    }

    @Override
    public int eventVersion() {
        return 1;
    }
}
