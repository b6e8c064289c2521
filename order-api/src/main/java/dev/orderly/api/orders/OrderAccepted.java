package dev.orderly.api.orders;

import java.time.Instant;
import java.util.UUID;

/**
 * The answer to an accepted {@code POST /orders}. It is also what an {@code Idempotency-Key} remembers, so a retried
 * request gets exactly the first answer back.
 */
record OrderAccepted(
        UUID orderId, OrderStatus status, String customerId, String currency, long totalCents, Instant createdAt) {}
