package dev.orderly.worker.order.inventory;

import dev.orderly.contracts.ReservedLine;
import dev.orderly.contracts.Shortage;
import java.util.List;

/**
 * What reserving an order's stock came to: every line held, or nothing held and the lines that fell short.
 *
 * <p>Invariant: all or nothing; a rejected reservation changed no stock.
 */
public sealed interface Reservation {

    /** Every line is held; one line per SKU, quantities of repeated SKUs added up. */
    record Reserved(List<ReservedLine> lines) implements Reservation {}

    /** Nothing is held; the SKUs that lacked stock (unknown SKUs have 0 available). */
    record Rejected(List<Shortage> shortages) implements Reservation {}
}
