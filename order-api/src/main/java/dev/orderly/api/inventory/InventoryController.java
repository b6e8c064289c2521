package dev.orderly.api.inventory;

import dev.orderly.api.web.Problems;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.validation.Valid;
import java.util.regex.Pattern;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code GET /inventory/{sku}} and {@code PUT /inventory/{sku}}: the stock order-worker reserves from, and the price
 * {@code POST /orders} charges for it.
 *
 * <p>Invariant: a SKU is 1 to 64 characters without control characters, like an order line's; a refusal is a problem
 * detail naming what to do, never a 500.
 */
@RestController
@RequestMapping("/inventory")
@Tag(name = "inventory")
class InventoryController {

    private static final Pattern SKU = Pattern.compile("[^\\p{Cntrl}]{1,64}");

    private final InventoryRepository inventory;

    InventoryController(InventoryRepository inventory) {
        this.inventory = inventory;
    }

    @GetMapping("/{sku}")
    @Operation(
            summary = "Read a SKU's stock and price",
            description = "On hand, reserved for open orders, available, and the unit price with its currency "
                    + "(both null: the SKU is not for sale).")
    StockLevel get(@PathVariable String sku) {
        requireValid(sku);
        return inventory.find(sku).orElseThrow(() -> new UnknownSku(sku));
    }

    @PutMapping(path = "/{sku}", consumes = MediaType.APPLICATION_JSON_VALUE)
    @Operation(
            summary = "Set a SKU's stock on hand, and its price",
            description = "Creates the SKU if it is new. price_cents and currency, both or neither, set the price "
                    + "orders are charged from then on; without them the SKU keeps its price (a SKU that never had one "
                    + "is not for sale). Refused with 409, changing nothing, if on_hand is less than is reserved for "
                    + "open orders.")
    StockLevel set(@PathVariable String sku, @Valid @RequestBody SetStockRequest request) {
        requireValid(sku);
        if (!request.pricePaired()) {
            throw new UnpairedPrice(request.priceCents() == null ? "price_cents" : "currency");
        }
        return inventory
                .set(sku, request.onHand(), request.priceCents(), request.currency())
                .orElseThrow(() -> new BelowReserved(sku, request.onHand()));
    }

    @ExceptionHandler
    ProblemDetail unknown(UnknownSku e) {
        return Problems.of(HttpStatus.NOT_FOUND, "sku-not-found", "SKU not found", e.getMessage());
    }

    @ExceptionHandler
    ProblemDetail belowReserved(BelowReserved e) {
        return Problems.of(HttpStatus.CONFLICT, "stock-below-reserved", "Stock below reserved", e.getMessage());
    }

    @ExceptionHandler
    ProblemDetail invalidSku(InvalidSku e) {
        return Problems.invalidRequest(e.getMessage(), new Problems.FieldError("sku", e.getMessage()));
    }

    @ExceptionHandler
    ProblemDetail unpairedPrice(UnpairedPrice e) {
        return Problems.invalidRequest(
                e.getMessage(),
                new Problems.FieldError(
                        e.missing,
                        "must be given with " + (e.missing.equals("currency") ? "price_cents" : "currency")));
    }

    private static void requireValid(String sku) {
        if (!SKU.matcher(sku).matches()) {
            throw new InvalidSku();
        }
    }

    /** No stock row for a SKU. */
    static final class UnknownSku extends RuntimeException {
        UnknownSku(String sku) {
            super("No stock is recorded for SKU '%s'; set it with PUT /inventory/%s".formatted(sku, sku));
        }
    }

    /** A new on-hand quantity below what open orders hold. */
    static final class BelowReserved extends RuntimeException {
        BelowReserved(String sku, int onHand) {
            super(("SKU '%s' has more than %d units reserved for open orders; set on_hand to at least the reserved "
                            + "quantity (GET /inventory/%s shows it)")
                    .formatted(sku, onHand, sku));
        }
    }

    /** A price without its currency, or a currency without a price. */
    static final class UnpairedPrice extends RuntimeException {

        private final String missing;

        UnpairedPrice(String missing) {
            super("price_cents and currency set a price together: send both, or neither to keep the SKU's price");
            this.missing = missing;
        }
    }

    /** A SKU that cannot exist. */
    static final class InvalidSku extends RuntimeException {
        InvalidSku() {
            super("sku must be 1 to 64 characters without control characters");
        }
    }
}
