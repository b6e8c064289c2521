package dev.orderly.api.orders;

import java.util.List;
import java.util.stream.Collectors;

/**
 * Lines for SKUs that are not for sale: not in the catalogue, or in it without a price. Answered with 422
 * {@code unknown-sku}, naming every such line; nothing is stored.
 */
class SkusNotForSaleException extends RuntimeException {

    /** A line whose SKU is not for sale; {@code known} if the catalogue has the SKU, without a price. */
    record Line(int index, String sku, boolean known) {

        String reason() {
            return known
                    ? "'%s' has no price: it is not for sale".formatted(sku)
                    : "'%s' is not in the catalogue".formatted(sku);
        }
    }

    private final List<Line> lines;

    SkusNotForSaleException(List<Line> lines) {
        super(("Not for sale: %s. Order only SKUs that have a price (GET /inventory/{sku} shows it); nothing was "
                        + "stored.")
                .formatted(lines.stream()
                        .map(Line::sku)
                        .distinct()
                        .map(sku -> "'" + sku + "'")
                        .collect(Collectors.joining(", "))));
        this.lines = List.copyOf(lines);
    }

    List<Line> lines() {
        return lines;
    }
}
