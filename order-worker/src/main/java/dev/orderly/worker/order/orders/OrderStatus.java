package dev.orderly.worker.order.orders;

/**
 * The states of an order: PENDING → RESERVED → PAID → SHIPPED, or PENDING → REJECTED, or RESERVED → CANCELLED.
 *
 * <p>Invariant: the names are the values of {@code orders.status}, checked by the table.
 */
enum OrderStatus {
    PENDING,
    RESERVED,
    PAID,
    SHIPPED,
    REJECTED,
    CANCELLED;

    boolean isFinal() {
        return this == SHIPPED || this == REJECTED || this == CANCELLED;
    }
}
