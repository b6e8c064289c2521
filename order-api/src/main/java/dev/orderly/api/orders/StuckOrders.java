package dev.orderly.api.orders;

import dev.orderly.api.OrderApiProperties;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataAccessException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * Counts the orders that have been in a non-final state (PENDING, RESERVED, PAID) for longer than
 * {@code orderly.api.stuck-orders.after}: gauge {@code orderly.orders.stuck{status}}, and the age of the oldest,
 * {@code orderly.orders.stuck.oldest.age}. The pipeline's other signals are per stage (a backlog, a parking lot, a
 * failing row); this one is about the promise itself: an accepted order that does not reach its end, whatever the
 * reason (an event lost to a route that was missing, a consumer that stopped, a message parked and forgotten). Alert
 * {@code OrdersStuck} fires on it.
 *
 * <p>Sampled on a schedule, on the partial index of open orders ({@code V5__open_orders_index.sql}): the query reads
 * only orders not yet final, however many are. Until the first sample, and while sampling fails, the last values stand.
 */
@Component
class StuckOrders {

    private static final Logger log = LoggerFactory.getLogger(StuckOrders.class);

    static final List<OrderStatus> OPEN = List.of(OrderStatus.PENDING, OrderStatus.RESERVED, OrderStatus.PAID);

    private final JdbcClient jdbc;
    private final Duration after;
    private final Map<OrderStatus, Long> counts = new EnumMap<>(OrderStatus.class);
    private volatile double oldestAgeSeconds;

    StuckOrders(JdbcClient jdbc, OrderApiProperties properties, MeterRegistry meters) {
        this.jdbc = jdbc;
        this.after = properties.stuckOrders().after();
        for (OrderStatus status : OPEN) {
            counts.put(status, 0L);
            Gauge.builder("orderly.orders.stuck", this, stuck -> stuck.count(status))
                    .description("Orders in this non-final state for longer than orderly.api.stuck-orders.after")
                    .tag("status", status.name())
                    .register(meters);
        }
        Gauge.builder("orderly.orders.stuck.oldest.age", this, stuck -> stuck.oldestAgeSeconds)
                .description("Age of the oldest order still in a non-final state past orderly.api.stuck-orders.after "
                        + "(0 if there is none)")
                .baseUnit("seconds")
                .register(meters);
    }

    /** Measures again; scheduled every {@code orderly.api.stuck-orders.sample-interval}. */
    void sample() {
        try {
            Map<OrderStatus, Long> now = new EnumMap<>(OrderStatus.class);
            OPEN.forEach(status -> now.put(status, 0L));
            double[] oldest = {0};
            jdbc.sql("""
                            SELECT status, count(*) AS stuck,
                                   extract(epoch FROM clock_timestamp() - min(created_at)) AS oldest_age
                            FROM orders
                            WHERE status IN ('PENDING', 'RESERVED', 'PAID')
                              AND created_at < clock_timestamp() - make_interval(secs => :after)
                            GROUP BY status
                            """)
                    .param("after", after.toMillis() / 1000.0)
                    .query((rs, n) -> {
                        now.put(OrderStatus.valueOf(rs.getString("status")), rs.getLong("stuck"));
                        oldest[0] = Math.max(oldest[0], rs.getDouble("oldest_age"));
                        return null;
                    })
                    .list();
            synchronized (counts) {
                counts.putAll(now);
            }
            oldestAgeSeconds = oldest[0];
        } catch (DataAccessException e) {
            log.debug("Could not count stuck orders; keeping the last sample", e);
        }
    }

    /**
     * One stuck order as {@code GET /orders/stuck} lists it: where it stands and since when.
     *
     * @param ageSeconds how long ago it was created
     */
    record Stuck(
            UUID orderId,
            OrderStatus status,
            String customerId,
            Instant createdAt,
            Instant updatedAt,
            double ageSeconds) {}

    /** What {@code GET /orders/stuck} answers: the threshold, and the oldest stuck orders first. */
    record Listing(double afterSeconds, List<Stuck> orders) {}

    /** The stuck orders now, the oldest first, at most {@code limit} (read on the partial index of open orders). */
    Listing list(int limit) {
        List<Stuck> stuck = jdbc.sql("""
                        SELECT id, status, customer_id, created_at, updated_at,
                               extract(epoch FROM clock_timestamp() - created_at) AS age
                        FROM orders
                        WHERE status IN ('PENDING', 'RESERVED', 'PAID')
                          AND created_at < clock_timestamp() - make_interval(secs => :after)
                        ORDER BY created_at
                        LIMIT :limit
                        """)
                .param("after", after.toMillis() / 1000.0)
                .param("limit", limit)
                .query((rs, n) -> new Stuck(
                        rs.getObject("id", UUID.class),
                        OrderStatus.valueOf(rs.getString("status")),
                        rs.getString("customer_id"),
                        rs.getObject("created_at", java.time.OffsetDateTime.class)
                                .toInstant(),
                        rs.getObject("updated_at", java.time.OffsetDateTime.class)
                                .toInstant(),
                        rs.getDouble("age")))
                .list();
        return new Listing(after.toMillis() / 1000.0, stuck);
    }

    private double count(OrderStatus status) {
        synchronized (counts) {
            return counts.get(status);
        }
    }
}
