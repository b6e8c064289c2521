package dev.orderly.worker.order.orders;

import dev.orderly.messaging.consumer.DeferredInserts;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Collection;
import java.util.Optional;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/**
 * The {@code orders} and {@code order_timeline} tables, as order-worker changes them.
 *
 * <p>Invariant: a status changes only through {@link #move}, along one of {@link OrderStatus.Transition}'s moves, whose
 * {@code WHERE status = :from} guard makes a transition from the wrong state change nothing; a timeline entry is keyed
 * by (order, event), so writing it again is a no-op. An order holds at most one early shipment
 * ({@code early_shipments}), taken (deleted) when applied.
 */
@Repository
class Orders {

    /** An order's status and when it was created, read under a row lock. */
    record Locked(OrderStatus status, Instant createdAt) {}

    /** An event as its order's timeline records it; also what a held shipment keeps until it is applied. */
    record Step(UUID eventId, String eventType, @Nullable String detail, Instant occurredAt) {}

    /** A timeline entry, once per (order, event). */
    private static final DeferredInserts.Statement TIMELINE = new DeferredInserts.Statement(
            "INSERT INTO order_timeline (order_id, event_id, event_type, status, detail, occurred_at) VALUES",
            "(?, ?, ?, ?, ?, ?)",
            "ON CONFLICT DO NOTHING");

    private final JdbcClient jdbc;

    Orders(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** Locks a batch's orders, in id order (before any stock lock, like {@link #lock}); missing ones are skipped. */
    void lockAll(Collection<UUID> orderIds) {
        jdbc.sql("SELECT id FROM orders WHERE id = ANY (?) ORDER BY id FOR UPDATE")
                .param(orderIds.toArray(UUID[]::new))
                .query(UUID.class)
                .list();
    }

    /** Locks the order for this transaction (every handler takes the order's lock before any stock lock). */
    Optional<Locked> lock(UUID orderId) {
        return jdbc.sql("SELECT status, created_at FROM orders WHERE id = ? FOR UPDATE")
                .param(orderId)
                .query((rs, n) -> new Locked(
                        OrderStatus.valueOf(rs.getString("status")),
                        rs.getObject("created_at", OffsetDateTime.class).toInstant()))
                .optional();
    }

    /** Makes the order's {@code transition}; false if the order was not in the transition's {@code from}. */
    boolean move(UUID orderId, OrderStatus.Transition transition, Instant at) {
        return jdbc.sql("UPDATE orders SET status = :to, updated_at = :at WHERE id = :id AND status = :from")
                        .param("to", transition.to().name())
                        .param("at", OffsetDateTime.ofInstant(at, ZoneOffset.UTC))
                        .param("id", orderId)
                        .param("from", transition.from().name())
                        .update()
                == 1;
    }

    /** Appends an event to the order's timeline, once. */
    void timeline(
            UUID orderId,
            UUID eventId,
            String eventType,
            OrderStatus status,
            @Nullable String detail,
            Instant occurredAt) {
        // At once; inside a batch of deliveries, with the batch's other entries before it commits (nothing reads the
        // timeline back within a transaction).
        DeferredInserts.insert(
                jdbc,
                TIMELINE,
                orderId,
                eventId,
                eventType,
                status.name(),
                detail,
                OffsetDateTime.ofInstant(occurredAt, ZoneOffset.UTC));
    }

    /** Keeps a shipment that arrived while the order was not PAID yet; false if one is already held for the order. */
    boolean holdShipment(UUID orderId, Step shipment) {
        return jdbc.sql("""
                        INSERT INTO early_shipments (order_id, event_id, event_type, detail, occurred_at)
                        VALUES (:orderId, :eventId, :eventType, :detail, :occurredAt)
                        ON CONFLICT (order_id) DO NOTHING
                        """)
                        .param("orderId", orderId)
                        .param("eventId", shipment.eventId())
                        .param("eventType", shipment.eventType())
                        .param("detail", shipment.detail())
                        .param("occurredAt", OffsetDateTime.ofInstant(shipment.occurredAt(), ZoneOffset.UTC))
                        .update()
                == 1;
    }

    /** Removes and returns the shipment held for the order, if any. */
    Optional<Step> takeHeldShipment(UUID orderId) {
        return jdbc.sql(
                        "DELETE FROM early_shipments WHERE order_id = ? RETURNING event_id, event_type, detail, occurred_at")
                .param(orderId)
                .query((rs, n) -> new Step(
                        rs.getObject("event_id", UUID.class),
                        rs.getString("event_type"),
                        rs.getString("detail"),
                        rs.getObject("occurred_at", OffsetDateTime.class).toInstant()))
                .optional();
    }
}
