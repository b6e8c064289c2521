package dev.orderly.contracts;

import java.util.List;
import java.util.UUID;

/**
 * {@value EventTypes#INVENTORY_REJECTED} v1: there was not enough stock, so the order is REJECTED.
 *
 * <p>Invariant: every field is present, the reason is 1 to 255 characters and at least one shortage is named;
 * the shortage list is an immutable copy.
 */
public record InventoryRejected(UUID orderId, String reason, List<Shortage> shortages) implements EventData {

    public InventoryRejected {
        Checks.notNull(orderId, "order_id");
        Checks.text(reason, "reason", Checks.TEXT_MAX_LENGTH);
        shortages = Checks.nonEmptyList(shortages, "shortages");
    }

    @Override
    public String eventType() {
        return EventTypes.INVENTORY_REJECTED;
    }

    @Override
    public int eventVersion() {
        return 1;
    }
}
