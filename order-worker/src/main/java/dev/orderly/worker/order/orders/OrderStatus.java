package dev.orderly.worker.order.orders;

import java.util.Arrays;
import java.util.EnumSet;
import java.util.Set;

/**
 * The states of an order, and the one table of the moves between them, {@link Transition}: PENDING → RESERVED → PAID →
 * SHIPPED, or PENDING → REJECTED, or RESERVED → CANCELLED (docs/design.md#the-flow).
 *
 * <p>Invariant: the names are the values of {@code orders.status}, checked by the table; a status is final exactly when
 * no transition leaves it.
 */
enum OrderStatus {
    PENDING,
    RESERVED,
    PAID,
    SHIPPED,
    REJECTED,
    CANCELLED;

    /** True if no transition leaves this status: SHIPPED, REJECTED and CANCELLED. */
    boolean isFinal() {
        return Arrays.stream(Transition.values()).noneMatch(transition -> transition.from() == this);
    }

    /**
     * Every move an order can make: the status it moves from, the status it moves to, and the earlier statuses in which
     * the event asking for it has arrived early (the event before it has not been applied yet).
     *
     * <p>Invariant: this table is the only place that says which move goes from where to where; every status change
     * ({@link Orders#move}) names one of these.
     */
    enum Transition {
        /** {@code order.created}, every line's stock held. */
        MARK_RESERVED(PENDING, RESERVED),
        /** {@code order.created} with a line short, and its {@code inventory.rejected}. */
        MARK_REJECTED(PENDING, REJECTED),
        /** {@code payment.authorized}; early while the order's stock is not reserved yet. */
        MARK_PAID(RESERVED, PAID, PENDING),
        /** {@code payment.declined}; early while the order's stock is not reserved yet. */
        MARK_CANCELLED(RESERVED, CANCELLED, PENDING),
        /** {@code shipment.scheduled}; early while the order is not paid yet. */
        MARK_SHIPPED(PAID, SHIPPED, PENDING, RESERVED);

        private final OrderStatus from;
        private final OrderStatus to;
        private final Set<OrderStatus> early;

        Transition(OrderStatus from, OrderStatus to, OrderStatus... early) {
            this.from = from;
            this.to = to;
            this.early = early.length == 0 ? EnumSet.noneOf(OrderStatus.class) : EnumSet.copyOf(Arrays.asList(early));
        }

        OrderStatus from() {
            return from;
        }

        OrderStatus to() {
            return to;
        }

        /** What asking for this move comes to for an order in {@code current}. */
        Outcome in(OrderStatus current) {
            if (current == to) {
                return Outcome.ALREADY;
            }
            if (early.contains(current)) {
                return Outcome.EARLY;
            }
            return current == from ? Outcome.MOVES : Outcome.NO_LONGER_APPLIES;
        }
    }

    /** What asking for a {@link Transition} comes to, by the order's current status. */
    enum Outcome {
        /** In the transition's {@code from}: the order moves. */
        MOVES,
        /** Already in the transition's {@code to}: applied before (a late duplicate), nothing changes. */
        ALREADY,
        /** In an earlier status: the event before this one has not been applied yet. */
        EARLY,
        /** In a status the transition can no longer start from: no retry or replay could ever apply it. */
        NO_LONGER_APPLIES
    }
}
