package dev.orderly.api.inventory;

import dev.orderly.api.web.CurrencyCode;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import org.jspecify.annotations.Nullable;

/**
 * Body of {@code PUT /inventory/{sku}}: the physical stock on hand and, optionally, the SKU's price.
 *
 * <p>Invariant: 0 to 1,000,000,000 units; whether it covers what is reserved is checked against the stored row. A
 * price is 1 to 1,000,000,000 in the minor unit of its currency, an ISO 4217 code; price and currency come together
 * ({@link #pricePaired()}), and without them the SKU keeps the price it has.
 */
record SetStockRequest(
        @NotNull @Min(0) @Max(1_000_000_000) Integer onHand,
        @Nullable @Min(1) @Max(1_000_000_000) Long priceCents,
        @Nullable @CurrencyCode String currency) {

    /** Whether price and currency are both given or both left out. */
    boolean pricePaired() {
        return (priceCents == null) == (currency == null);
    }
}
