package dev.orderly.worker.order.orders;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Optional;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/**
 * The {@code orders} and {@code order_timeline} tables, as order-worker changes them.
 *
 * <p>Invariant: a status changes only through {@link #transition}, whose {@code status = :from} guard makes a
 * transition from the wrong state change nothing; a timeline entry is keyed by (order, event), so writing it again is
 * a no-op. An order holds at most one early shipment ({@code early_shipments}), taken (deleted) when applied.
 */
@Repository
class Orders {

    /** An order's status and when it was created, read under a row lock. */
    record Locked(OrderStatus status, Instant createdAt) {}

    /** An event that arrived before the order reached the state it applies to, kept until it does. */
    record Held(UUID eventId, String eventType, @Nullable String detail, Instant occurredAt) {}

    private final JdbcClient jdbc;

    Orders(JdbcClient jdbc) {
        this.jdbc = jdbc;
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

    /** What {@link #transition} found and did, read and written in one statement. */
    record Transition(OrderStatus before, Instant createdAt, boolean applied) {}

    private static final String TRANSITION = """
            WITH locked AS (
                SELECT id, status, created_at FROM orders WHERE id = :id FOR UPDATE
            ), moved AS (
                UPDATE orders o SET status = CAST(:to AS text), updated_at = :at
                FROM locked l WHERE o.id = l.id AND l.status = CAST(:from AS text)
                RETURNING o.id
            ), noted AS (
                INSERT INTO order_timeline (order_id, event_id, event_type, status, detail, occurred_at)
                SELECT id, :eventId, CAST(:eventType AS text), CAST(:to AS text), CAST(:detail AS text),
                       CAST(:occurredAt AS timestamptz)
                FROM moved
                ON CONFLICT DO NOTHING
            )
            """;

    private static final String RESULT = TRANSITION + """
            SELECT l.status, l.created_at, EXISTS (SELECT 1 FROM moved) AS applied FROM locked l
            """;

    /**
     * Locks the order and, if it is in {@code from}, moves it to {@code to} and appends {@code step} to its timeline —
     * one round trip, since every event of every order passes here.
     *
     * <p>Only the order row itself may be read in this statement: all of it runs on a snapshot taken before the lock
     * was granted, so a row another transaction wrote while holding the lock (a held shipment) is invisible to it. Read
     * such rows with a later statement ({@link #takeHeldShipment}).
     *
     * @return empty if the order does not exist
     */
    Optional<Transition> transition(UUID orderId, OrderStatus from, OrderStatus to, Instant at, Held step) {
        return jdbc.sql(RESULT)
                .param("id", orderId)
                .param("from", from.name())
                .param("to", to.name())
                .param("at", OffsetDateTime.ofInstant(at, ZoneOffset.UTC))
                .param("eventId", step.eventId())
                .param("eventType", step.eventType())
                .param("detail", step.detail())
                .param("occurredAt", OffsetDateTime.ofInstant(step.occurredAt(), ZoneOffset.UTC))
                .query((rs, n) -> new Transition(
                        OrderStatus.valueOf(rs.getString("status")),
                        rs.getObject("created_at", OffsetDateTime.class).toInstant(),
                        rs.getBoolean("applied")))
                .optional();
    }

    /** Appends an event to the order's timeline, once. */
    void timeline(
            UUID orderId,
            UUID eventId,
            String eventType,
            OrderStatus status,
            @Nullable String detail,
            Instant occurredAt) {
        jdbc.sql("""
                        INSERT INTO order_timeline (order_id, event_id, event_type, status, detail, occurred_at)
                        VALUES (:orderId, :eventId, :eventType, :status, :detail, :occurredAt)
                        ON CONFLICT DO NOTHING
                        """)
                .param("orderId", orderId)
                .param("eventId", eventId)
                .param("eventType", eventType)
                .param("status", status.name())
                .param("detail", detail)
                .param("occurredAt", OffsetDateTime.ofInstant(occurredAt, ZoneOffset.UTC))
                .update();
    }

    /** Keeps a shipment that arrived while the order was not PAID yet; false if one is already held for the order. */
    boolean holdShipment(UUID orderId, Held shipment) {
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

    /**
     * Removes and returns the shipment held for the order, if any. Call it after the order is locked in this
     * transaction: a shipment is held under the same lock, so this statement sees every one committed before.
     */
    Optional<Held> takeHeldShipment(UUID orderId) {
        return jdbc.sql(
                        "DELETE FROM early_shipments WHERE order_id = ? RETURNING event_id, event_type, detail, occurred_at")
                .param(orderId)
                .query((rs, n) -> new Held(
                        rs.getObject("event_id", UUID.class),
                        rs.getString("event_type"),
                        rs.getString("detail"),
                        rs.getObject("occurred_at", OffsetDateTime.class).toInstant()))
                .optional();
    }
}
