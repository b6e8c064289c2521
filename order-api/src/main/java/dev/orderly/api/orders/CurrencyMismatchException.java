package dev.orderly.api.orders;

import java.util.List;
import java.util.stream.Collectors;

/**
 * Lines for SKUs priced in another currency than the order's. Answered with 422 {@code currency-mismatch}, naming
 * every such line and its SKU's currency; nothing is stored, and nothing is converted.
 */
class CurrencyMismatchException extends RuntimeException {

    /** A line whose SKU is priced in {@code currency}, not the order's. */
    record Line(int index, String sku, String currency) {}

    private final String orderCurrency;
    private final List<Line> lines;

    CurrencyMismatchException(String orderCurrency, List<Line> lines) {
        super("The order is in %s, but %s. Order each SKU in the currency it is priced in; nothing was stored."
                .formatted(
                        orderCurrency,
                        lines.stream()
                                .map(line -> "'%s' is priced in %s".formatted(line.sku(), line.currency()))
                                .distinct()
                                .collect(Collectors.joining(", "))));
        this.orderCurrency = orderCurrency;
        this.lines = List.copyOf(lines);
    }

    String orderCurrency() {
        return orderCurrency;
    }

    List<Line> lines() {
        return lines;
    }
}
