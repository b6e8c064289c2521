package dev.orderly.api.orders;

import dev.orderly.api.inventory.Catalogue;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Lines that sent a unit price other than the catalogue's. Answered with 409 {@code price-mismatch}, naming every such
 * line with the current price, so that a client holding a stale price learns it; nothing is stored, and the order is
 * never charged at a price the client did not send.
 */
class PriceMismatchException extends RuntimeException {

    /** A line that sent {@code sentCents} for a SKU whose price is {@code current}. */
    record Line(int index, String sku, long sentCents, Catalogue.Price current) {}

    private final List<Line> lines;

    PriceMismatchException(List<Line> lines) {
        super(("The unit price sent is not the current price for %s. Send the current price, or none to be charged the "
                        + "catalogue's; nothing was stored.")
                .formatted(lines.stream()
                        .map(line -> "'%s' (%d %s)"
                                .formatted(
                                        line.sku(),
                                        line.current().cents(),
                                        line.current().currency()))
                        .distinct()
                        .collect(Collectors.joining(", "))));
        this.lines = List.copyOf(lines);
    }

    List<Line> lines() {
        return lines;
    }
}
