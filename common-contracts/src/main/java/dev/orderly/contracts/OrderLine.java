package dev.orderly.contracts;

/**
 * One line of an {@link OrderCreated}: a quantity of a SKU at a unit price.
 *
 * <p>Invariant: the SKU is 1 to 64 characters, the quantity at least 1 and the unit price 0 or more cents.
 */
public record OrderLine(String sku, int quantity, long unitPriceCents) {

    public OrderLine {
        Checks.text(sku, "sku", Checks.ID_MAX_LENGTH);
        Checks.positive(quantity, "quantity");
        Checks.cents(unitPriceCents, "unit_price_cents");
    }
}
