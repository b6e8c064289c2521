package dev.orderly.contracts;

import java.util.List;
import java.util.UUID;

/**
 * {@value EventTypes#ORDER_CREATED} v1: an order was accepted and is PENDING.
 *
 * <p>Invariant: every field is present, the currency is three upper-case letters, the total is 0 or more
 * cents and there is at least one line; the line list is an immutable copy.
 */
public record OrderCreated(UUID orderId, String customerId, String currency, long totalCents, List<OrderLine> lines)
        implements EventData {

    public OrderCreated {
        Checks.notNull(orderId, "order_id");
        Checks.text(customerId, "customer_id", Checks.ID_MAX_LENGTH);
        Checks.currency(currency);
        Checks.cents(totalCents, "total_cents");
        lines = Checks.nonEmptyList(lines, "lines");
    }

    @Override
    public String eventType() {
        return EventTypes.ORDER_CREATED;
    }

    @Override
    public int eventVersion() {
        return 1;
    }
}
