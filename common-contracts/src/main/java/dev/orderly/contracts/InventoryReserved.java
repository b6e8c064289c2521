package dev.orderly.contracts;

import java.util.List;
import java.util.UUID;

/**
 * {@value EventTypes#INVENTORY_RESERVED} v1: stock is held for every line of an order, which may now be charged.
 *
 * <p>Invariant: every field is present, the currency is three upper-case letters, the total is 0 or more
 * cents and there is at least one line; the line list is an immutable copy.
 */
public record InventoryReserved(
        UUID orderId, String customerId, String currency, long totalCents, List<ReservedLine> lines)
        implements EventData {

    public InventoryReserved {
        Checks.notNull(orderId, "order_id");
        Checks.text(customerId, "customer_id", Checks.ID_MAX_LENGTH);
        Checks.currency(currency);
        Checks.cents(totalCents, "total_cents");
        lines = Checks.nonEmptyList(lines, "lines");
    }

    @Override
    public String eventType() {
        return EventTypes.INVENTORY_RESERVED;
    }

    @Override
    public int eventVersion() {
        return 1;
    }
}
