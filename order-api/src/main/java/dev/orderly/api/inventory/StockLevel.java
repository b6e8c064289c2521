package dev.orderly.api.inventory;

import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * The stock of one SKU as the API shows it, with its price.
 *
 * <p>Invariant: {@code available = onHand - reserved}, and {@code 0 <= reserved <= onHand} (the table's checks);
 * {@code priceCents} and {@code currency} are both null (the SKU is not for sale) or both set.
 */
record StockLevel(
        String sku,
        int onHand,
        int reserved,
        int available,
        @Nullable Long priceCents,
        @Nullable String currency,
        Instant updatedAt) {}
