package dev.orderly.api.orders;

import dev.orderly.api.web.CurrencyCode;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import java.util.List;

/**
 * The body of {@code POST /orders}, as the client sent it.
 *
 * <p>Bounds are checked here, before anything is stored; the database repeats the essential ones as constraints.
 * Numbers are boxed so that a missing field is reported as missing rather than read as zero.
 */
record PlaceOrderRequest(
        @NotBlank @Size(max = 64) @Pattern(regexp = PRINTABLE, message = NOT_PRINTABLE)
        String customerId,

        @NotNull @CurrencyCode String currency,
        @NotNull @Size(min = 1, max = 100) List<@NotNull @Valid Line> lines) {

    static final String PRINTABLE = "\\P{Cntrl}*";
    static final String NOT_PRINTABLE = "must not contain control characters";

    /** One order line: how many of a SKU at what unit price, in the order's currency's minor unit. */
    record Line(
            @NotBlank @Size(max = 64) @Pattern(regexp = PRINTABLE, message = NOT_PRINTABLE)
            String sku,

            @NotNull @Min(1) @Max(1000) Integer quantity,
            @NotNull @Min(0) @Max(1_000_000_000) Long unitPriceCents) {

        long totalCents() {
            return quantity * unitPriceCents;
        }
    }

    /** The order's total; cannot overflow within the bounds above (100 × 1,000 × 10⁹ &lt; 2⁶³). */
    long totalCents() {
        return lines.stream().mapToLong(Line::totalCents).sum();
    }
}
