package dev.orderly.contracts;

/**
 * One line of an {@link InventoryReserved}: the quantity of a SKU now held for the order.
 *
 * <p>Invariant: the SKU is 1 to 64 characters and the quantity at least 1.
 */
public record ReservedLine(String sku, int quantity) {

    public ReservedLine {
        Checks.text(sku, "sku", Checks.ID_MAX_LENGTH);
        Checks.positive(quantity, "quantity");
    }
}
