package dev.orderly.worker.order.orders;

import dev.orderly.messaging.consumer.DeferredInserts;
import dev.orderly.messaging.consumer.Retries;
import dev.orderly.messaging.consumer.TransactionBound;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
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

    /**
     * An event as its order's timeline records it, with what its deliveries took; also what a held shipment keeps
     * until it is applied.
     */
    record Step(UUID eventId, String eventType, @Nullable String detail, Instant occurredAt, Retries retries) {}

    /** A timeline entry, once per (order, event). */
    private static final DeferredInserts.Statement TIMELINE = new DeferredInserts.Statement(
            "INSERT INTO order_timeline (order_id, event_id, event_type, status, detail, occurred_at, retries, replayed)"
                    + " VALUES",
            "(?, ?, ?, ?, ?, ?, ?, ?)",
            "ON CONFLICT DO NOTHING");

    private final JdbcClient jdbc;

    Orders(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /**
     * Locks a batch's orders, in id order (before any stock lock, like {@link #lock}); missing ones are skipped. What
     * it reads stands for the rest of the transaction: {@link #lock} answers a locked order from it, and
     * {@link #move} keeps it current, so a batch of 20 events reads its orders once instead of 21 times (nothing else
     * changes a row this transaction holds locked).
     */
    void lockAll(Collection<UUID> orderIds) {
        Map<UUID, Locked> locked = new HashMap<>();
        jdbc.sql("SELECT id, status, created_at FROM orders WHERE id = ANY (?) ORDER BY id FOR UPDATE")
                .param(orderIds.toArray(UUID[]::new))
                .query(rs -> {
                    locked.put(rs.getObject("id", UUID.class), locked(rs));
                });
        TransactionBound.get(this, () -> new HashMap<UUID, Locked>()).ifPresent(held -> held.putAll(locked));
    }

    /** Locks the order for this transaction (every handler takes the order's lock before any stock lock). */
    Optional<Locked> lock(UUID orderId) {
        Optional<Locked> held = TransactionBound.<Map<UUID, Locked>>find(this).map(orders -> orders.get(orderId));
        if (held.isPresent()) {
            return held;
        }
        return jdbc.sql("SELECT status, created_at FROM orders WHERE id = ? FOR UPDATE")
                .param(orderId)
                .query((rs, n) -> locked(rs))
                .optional();
    }

    private static Locked locked(ResultSet rs) throws SQLException {
        return new Locked(
                OrderStatus.valueOf(rs.getString("status")),
                rs.getObject("created_at", OffsetDateTime.class).toInstant());
    }

    /** Makes the order's {@code transition}; false if the order was not in the transition's {@code from}. */
    boolean move(UUID orderId, OrderStatus.Transition transition, Instant at) {
        boolean moved = jdbc.sql("UPDATE orders SET status = :to, updated_at = :at WHERE id = :id AND status = :from")
                        .param("to", transition.to().name())
                        .param("at", OffsetDateTime.ofInstant(at, ZoneOffset.UTC))
                        .param("id", orderId)
                        .param("from", transition.from().name())
                        .update()
                == 1;
        if (moved) {
            TransactionBound.<Map<UUID, Locked>>find(this)
                    .ifPresent(held ->
                            held.computeIfPresent(orderId, (id, was) -> new Locked(transition.to(), was.createdAt())));
        }
        return moved;
    }

    /** Appends an event to the order's timeline, once. */
    void timeline(UUID orderId, Step step, OrderStatus status, @Nullable String detail) {
        // At once; inside a batch of deliveries, with the batch's other entries before it commits (nothing reads the
        // timeline back within a transaction).
        DeferredInserts.insert(
                jdbc,
                TIMELINE,
                orderId,
                step.eventId(),
                step.eventType(),
                status.name(),
                detail,
                OffsetDateTime.ofInstant(step.occurredAt(), ZoneOffset.UTC),
                step.retries().count(),
                step.retries().replayed());
    }

    /** Keeps a shipment that arrived while the order was not PAID yet; false if one is already held for the order. */
    boolean holdShipment(UUID orderId, Step shipment) {
        return jdbc.sql("""
                        INSERT INTO early_shipments (order_id, event_id, event_type, detail, occurred_at, retries,
                                                     replayed)
                        VALUES (:orderId, :eventId, :eventType, :detail, :occurredAt, :retries, :replayed)
                        ON CONFLICT (order_id) DO NOTHING
                        """)
                        .param("orderId", orderId)
                        .param("eventId", shipment.eventId())
                        .param("eventType", shipment.eventType())
                        .param("detail", shipment.detail())
                        .param("occurredAt", OffsetDateTime.ofInstant(shipment.occurredAt(), ZoneOffset.UTC))
                        .param("retries", shipment.retries().count())
                        .param("replayed", shipment.retries().replayed())
                        .update()
                == 1;
    }

    /** Removes and returns the shipment held for the order, if any. */
    Optional<Step> takeHeldShipment(UUID orderId) {
        return jdbc.sql("""
                        DELETE FROM early_shipments WHERE order_id = ?
                        RETURNING event_id, event_type, detail, occurred_at, retries, replayed
                        """)
                .param(orderId)
                .query((rs, n) -> new Step(
                        rs.getObject("event_id", UUID.class),
                        rs.getString("event_type"),
                        rs.getString("detail"),
                        rs.getObject("occurred_at", OffsetDateTime.class).toInstant(),
                        new Retries(rs.getInt("retries"), rs.getBoolean("replayed"))))
                .optional();
    }
}
