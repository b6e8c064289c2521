package dev.orderly.api.inventory;

import java.time.Instant;

/**
 * The stock of one SKU as the API shows it.
 *
 * <p>Invariant: {@code available = onHand - reserved}, and {@code 0 <= reserved <= onHand} (the table's checks).
 */
record StockLevel(String sku, int onHand, int reserved, int available, Instant updatedAt) {}
