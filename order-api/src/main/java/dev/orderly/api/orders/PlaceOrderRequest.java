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
import org.jspecify.annotations.Nullable;

/**
 * The body of {@code POST /orders}, as the client sent it: in which currency, how many of which SKUs, and, optionally,
 * for which customer.
 *
 * <p>Bounds are checked here, before anything is stored; the database repeats the essential ones as constraints.
 * Numbers are boxed so that a missing field is reported as missing rather than read as zero. Prices are the server's
 * ({@link Pricing}): a line's {@code unit_price_cents} is optional, and if sent must be the catalogue's price. So is
 * the customer the server's, the access token's: {@code customerId} is optional, and if sent must be that customer
 * ({@link OrdersController}); a blank one is bad input, not another customer.
 */
record PlaceOrderRequest(
        @Nullable
        @Size(max = 64)
        @Pattern(regexp = PRINTABLE, message = NOT_PRINTABLE)
        @Pattern(regexp = NOT_BLANK, message = "must not be blank")
        String customerId,

        @NotNull @CurrencyCode String currency,
        @NotNull @Size(min = 1, max = 100) List<@NotNull @Valid Line> lines) {

    static final String PRINTABLE = "\\P{Cntrl}*";
    static final String NOT_PRINTABLE = "must not contain control characters";
    static final String NOT_BLANK = "(?s).*\\S.*";

    /**
     * One order line: how many of a SKU. {@code unitPriceCents}, if sent, is the unit price the client expects to pay,
     * in the order's currency's minor unit; the order is refused if it is not the catalogue's price, never charged at
     * it. Its bounds are v1's, 0 included, so that a client still sending the 0 it was once allowed learns the price
     * from a 409 {@code price-mismatch} rather than a bare 400.
     */
    record Line(
            @NotBlank @Size(max = 64) @Pattern(regexp = PRINTABLE, message = NOT_PRINTABLE)
            String sku,

            @NotNull @Min(1) @Max(1000) Integer quantity,
            @Nullable @Min(0) @Max(1_000_000_000) Long unitPriceCents) {}
}
