package dev.orderly.contracts;

/**
 * One SKU of an {@link InventoryRejected} that could not be reserved: how many were asked for and how many
 * were available.
 *
 * <p>Invariant: the SKU is 1 to 64 characters, at least 1 was requested, and fewer were available than
 * requested (0 or more).
 */
public record Shortage(String sku, int requested, int available) {

    public Shortage {
        Checks.text(sku, "sku", Checks.ID_MAX_LENGTH);
        Checks.positive(requested, "requested");
        Checks.nonNegative(available, "available");
        if (available >= requested) {
            throw new IllegalArgumentException("a shortage of " + sku + " needs available (" + available
                    + ") to be less than requested (" + requested + ")");
        }
    }
}
