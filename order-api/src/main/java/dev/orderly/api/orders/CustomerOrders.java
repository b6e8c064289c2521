package dev.orderly.api.orders;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * What {@code GET /orders?customer_id=} answers: a customer's latest orders, newest first, at most the limit asked for.
 *
 * @param customerId whose they are
 * @param orders each order's id, status, total and times (its lines and timeline are at {@code GET /orders/{id}})
 */
record CustomerOrders(String customerId, List<Summary> orders) {

    /** One order of the listing. */
    record Summary(
            UUID orderId, OrderStatus status, String currency, long totalCents, Instant createdAt, Instant updatedAt) {}
}
