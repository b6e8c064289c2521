package dev.orderly.api.orders;

import dev.orderly.contracts.OrderLine;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/**
 * The {@code orders}, {@code order_lines} and {@code order_timeline} tables.
 *
 * <p>Plain SQL through {@link JdbcClient} rather than JPA: each write here is one statement whose shape matters (a
 * new order with its lines and first timeline entry goes to the database in a single round trip), and nothing is
 * gained from an entity cache for rows that are written once and read rarely.
 */
@Repository
class OrderRepository {

    private final JdbcClient jdbc;

    OrderRepository(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /**
     * Inserts a new PENDING order, its lines (priced: {@link Pricing}) and its first timeline entry, in one statement.
     * Runs in the caller's transaction, which also writes the outbox row.
     */
    void insertPending(OrderAccepted order, List<OrderLine> lines, UUID eventId, String eventType) {
        int n = lines.size();
        String[] skus = new String[n];
        int[] quantities = new int[n];
        long[] prices = new long[n];
        for (int i = 0; i < n; i++) {
            OrderLine line = lines.get(i);
            skus[i] = line.sku();
            quantities[i] = line.quantity();
            prices[i] = line.unitPriceCents();
        }
        jdbc.sql("""
                        WITH new_order AS (
                            INSERT INTO orders (id, customer_id, currency, total_cents, status, created_at, updated_at)
                            VALUES (:id, :customerId, :currency, :totalCents, :status, :createdAt, :createdAt)
                        ), new_lines AS (
                            INSERT INTO order_lines (order_id, line_no, sku, quantity, unit_price_cents)
                            SELECT :id, line.n, line.sku, line.quantity, line.price
                            FROM unnest(CAST(:skus AS text[]), CAST(:quantities AS int[]), CAST(:prices AS bigint[]))
                                WITH ORDINALITY AS line (sku, quantity, price, n)
                        )
                        INSERT INTO order_timeline (order_id, event_id, event_type, status, occurred_at)
                        VALUES (:id, :eventId, :eventType, :status, :createdAt)
                        """)
                .param("id", order.orderId())
                .param("customerId", order.customerId())
                .param("currency", order.currency())
                .param("totalCents", order.totalCents())
                .param("status", order.status().name())
                .param("createdAt", utc(order.createdAt()))
                .param("skus", skus)
                .param("quantities", quantities)
                .param("prices", prices)
                .param("eventId", eventId)
                .param("eventType", eventType)
                .update();
    }

    /** The order with its lines and timeline (in the order events happened), if it exists. */
    Optional<OrderView> find(UUID orderId) {
        return jdbc.sql("""
                        SELECT status, customer_id, currency, total_cents, created_at, updated_at
                        FROM orders WHERE id = :id
                        """)
                .param("id", orderId)
                .query((rs, row) -> new OrderRow(
                        OrderStatus.valueOf(rs.getString("status")),
                        rs.getString("customer_id"),
                        rs.getString("currency"),
                        rs.getLong("total_cents"),
                        rs.getObject("created_at", OffsetDateTime.class).toInstant(),
                        rs.getObject("updated_at", OffsetDateTime.class).toInstant()))
                .optional()
                .map(order -> new OrderView(
                        orderId,
                        order.status(),
                        order.customerId(),
                        order.currency(),
                        order.totalCents(),
                        order.createdAt(),
                        order.updatedAt(),
                        lines(orderId),
                        timeline(orderId)));
    }

    /** The customer's latest {@code limit} orders, newest first (index {@code orders_by_customer}). */
    List<CustomerOrders.Summary> latestOf(String customerId, int limit) {
        return jdbc.sql("""
                        SELECT id, status, currency, total_cents, created_at, updated_at FROM orders
                        WHERE customer_id = :customer ORDER BY created_at DESC, id DESC LIMIT :limit
                        """)
                .param("customer", customerId)
                .param("limit", limit)
                .query((rs, row) -> new CustomerOrders.Summary(
                        rs.getObject("id", UUID.class),
                        OrderStatus.valueOf(rs.getString("status")),
                        rs.getString("currency"),
                        rs.getLong("total_cents"),
                        rs.getObject("created_at", OffsetDateTime.class).toInstant(),
                        rs.getObject("updated_at", OffsetDateTime.class).toInstant()))
                .list();
    }

    private record OrderRow(
            OrderStatus status,
            String customerId,
            String currency,
            long totalCents,
            Instant createdAt,
            Instant updatedAt) {}

    private List<OrderView.Line> lines(UUID orderId) {
        return jdbc.sql("""
                        SELECT sku, quantity, unit_price_cents FROM order_lines
                        WHERE order_id = :id ORDER BY line_no
                        """)
                .param("id", orderId)
                .query((rs, row) -> {
                    int quantity = rs.getInt("quantity");
                    long unitPrice = rs.getLong("unit_price_cents");
                    return new OrderView.Line(rs.getString("sku"), quantity, unitPrice, quantity * unitPrice);
                })
                .list();
    }

    private List<OrderView.TimelineEntry> timeline(UUID orderId) {
        return jdbc.sql("""
                        SELECT event_type, event_id, status, detail, occurred_at, retries, replayed FROM order_timeline
                        WHERE order_id = :id ORDER BY occurred_at, recorded_at
                        """)
                .param("id", orderId)
                .query((rs, row) -> new OrderView.TimelineEntry(
                        rs.getString("event_type"),
                        rs.getObject("event_id", UUID.class),
                        OrderStatus.valueOf(rs.getString("status")),
                        rs.getString("detail"),
                        rs.getObject("occurred_at", OffsetDateTime.class).toInstant(),
                        rs.getInt("retries"),
                        rs.getBoolean("replayed")))
                .list();
    }

    private static OffsetDateTime utc(Instant instant) {
        return OffsetDateTime.ofInstant(instant, ZoneOffset.UTC);
    }
}
