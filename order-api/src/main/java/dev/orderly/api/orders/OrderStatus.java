package dev.orderly.api.orders;

/**
 * Where an order stands: PENDING → RESERVED → PAID → SHIPPED, or PENDING → REJECTED, or RESERVED → CANCELLED.
 * REJECTED, CANCELLED and SHIPPED are final.
 */
enum OrderStatus {
    PENDING,
    RESERVED,
    PAID,
    SHIPPED,
    REJECTED,
    CANCELLED
}
