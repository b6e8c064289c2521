package dev.orderly.api.orders;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code GET /orders/stuck}: the orders {@link StuckOrders} counts, listed, for an operator (scope
 * {@code orders:read-all}: they are every customer's).
 */
@RestController
@RequestMapping("/orders")
@Tag(name = "orders")
class StuckOrdersController {

    private final StuckOrders stuck;

    StuckOrdersController(StuckOrders stuck) {
        this.stuck = stuck;
    }

    @GetMapping("/stuck")
    @Operation(
            summary = "List the stuck orders",
            description = "Every order that has been PENDING, RESERVED or PAID for longer than "
                    + "orderly.api.stuck-orders.after (5 minutes by default), the oldest first, at most limit (1 to "
                    + "500, 50 by default): what gauge orderly_orders_stuck counts and alert OrdersStuck fires on. "
                    + "Needs scope orders:read-all, since it names every customer's orders.")
    StuckOrders.Listing stuck(@RequestParam(name = "limit", defaultValue = "50") int limit) {
        return stuck.list(Math.clamp(limit, 1, 500));
    }
}
