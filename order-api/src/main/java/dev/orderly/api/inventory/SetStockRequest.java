package dev.orderly.api.inventory;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;

/**
 * Body of {@code PUT /inventory/{sku}}: the physical stock on hand.
 *
 * <p>Invariant: 0 to 1,000,000,000 units; whether it covers what is reserved is checked against the stored row.
 */
record SetStockRequest(@NotNull @Min(0) @Max(1_000_000_000) Integer onHand) {}
