package dev.orderly.api.orders;

import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/** The answer to {@code GET /orders/{order_id}}: where the order stands, what it holds, and how it got there. */
record OrderView(
        UUID orderId,
        OrderStatus status,
        String customerId,
        String currency,
        long totalCents,
        Instant createdAt,
        Instant updatedAt,
        List<Line> lines,
        List<TimelineEntry> timeline) {

    /** One line of the order, with its total. */
    record Line(String sku, int quantity, long unitPriceCents, long lineTotalCents) {}

    /**
     * One event that touched the order, the status it left the order in, when it happened, and what getting it there
     * took besides first deliveries: the retries of the deliveries that made this step (the event's producer's for the
     * one that caused it, and order-worker's own) and whether one of them was replayed out of a parking lot.
     */
    record TimelineEntry(
            String eventType,
            UUID eventId,
            OrderStatus status,
            @Nullable String detail,
            Instant occurredAt,
            int retries,
            boolean replayed) {}
}
