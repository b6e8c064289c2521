package dev.orderly.worker.order.inventory;

import static org.assertj.core.api.Assertions.assertThat;

import dev.orderly.testsupport.OrderlyInfrastructure;
import dev.orderly.testsupport.RealInfrastructure;
import dev.orderly.worker.order.OrdersSchema;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Import;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.SingleConnectionDataSource;

/**
 * A batch's stock lock ({@link StockReservations#LOCK_ALL}) against the real schema with many reservations, as a
 * pipeline that has shipped many orders has: it locks exactly the SKUs it must, and its plan reads
 * {@code stock_reservations} by the batch's orders, never the whole table (a batch held its orders' locks for the
 * length of that read, which grew with every order). Everything it writes is rolled back.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.NONE)
@RealInfrastructure
@Import(OrdersSchema.class)
class StockLocksIntegrationTests {

    private static final int SHIPPED_ORDERS = 20_000;

    @Autowired
    OrdersSchema.Migrated migrated;

    private final String tag = UUID.randomUUID().toString().substring(0, 8);

    @Test
    void aBatchsStockLockTakesItsSkusAndThoseHeldForItsOrdersReadingOnlyThoseOrdersReservations() throws SQLException {
        // As the superuser: order-worker's own role may not create orders (order-api's); the plan is the same.
        try (Connection connection = OrderlyInfrastructure.postgres().connectAsSuperuser()) {
            connection.setAutoCommit(false);
            try {
                connection.createStatement().execute("SET search_path = orders");
                check(JdbcClient.create(new SingleConnectionDataSource(connection, true)));
            } finally {
                connection.rollback();
            }
        }
    }

    private void check(JdbcClient jdbc) {
        jdbc.sql("""
                        WITH shipped AS (
                            INSERT INTO orders (id, customer_id, currency, total_cents, status, created_at, updated_at)
                            SELECT gen_random_uuid(), 'plan-' || :tag, 'EUR', 100, 'SHIPPED', now(), now()
                            FROM generate_series(1, :count)
                            RETURNING id
                        )
                        INSERT INTO stock_reservations (order_id, sku, quantity, state)
                        SELECT id, 'PLAN-' || :tag || '-shipped-' || n, 1, 'SHIPPED' FROM shipped, generate_series(1, 2) n""").param("tag", tag).param("count", SHIPPED_ORDERS).update();
        for (String sku : List.of("ordered", "settling-held", "settling-released", "paying-early", "paying-later")) {
            jdbc.sql("INSERT INTO inventory (sku, on_hand, reserved) VALUES (?, 10, 0)")
                    .param(sku(sku))
                    .update();
        }
        UUID settling = order(jdbc, "settling-held", "RESERVED");
        reserve(jdbc, settling, "settling-released", "RELEASED");
        UUID payingEarly = order(jdbc, "paying-early", "RESERVED");
        jdbc.sql("INSERT INTO early_shipments (order_id, event_id, event_type, detail, occurred_at) "
                        + "VALUES (?, gen_random_uuid(), 'shipment.scheduled', '{}', now())")
                .param(payingEarly)
                .update();
        UUID payingLater = order(jdbc, "paying-later", "RESERVED");
        jdbc.sql("ANALYZE stock_reservations").update();
        jdbc.sql("ANALYZE early_shipments").update();

        String[] skus = {sku("ordered")};
        UUID[] settlingOrders = {settling};
        UUID[] payingOrders = {payingEarly, payingLater};
        assertThat(jdbc.sql(StockReservations.LOCK_ALL)
                        .param("skus", skus)
                        .param("settling", settlingOrders)
                        .param("paying", payingOrders)
                        .query(String.class)
                        .list())
                .as("the batch's own SKUs, those still held for its settling orders, those of its paying orders whose"
                        + " shipment waits: in SKU order")
                .containsExactly(sku("ordered"), sku("paying-early"), sku("settling-held"));

        for (String mode : List.of("auto", "force_generic_plan")) {
            jdbc.sql("SET LOCAL plan_cache_mode = " + mode).update();
            List<String> plan = jdbc.sql("EXPLAIN " + StockReservations.LOCK_ALL)
                    .param("skus", skus)
                    .param("settling", settlingOrders)
                    .param("paying", payingOrders)
                    .query(String.class)
                    .list();
            assertThat(plan)
                    .as(
                            "the %s plan of a batch's stock lock with %d reservations in the table",
                            mode, 2 * SHIPPED_ORDERS)
                    .noneMatch(line -> line.contains("Seq Scan on stock_reservations"))
                    .anyMatch(line -> line.contains("stock_reservations_pkey"));
        }
    }

    /** A new RESERVED order with a reservation of {@code sku} in {@code state}. */
    private UUID order(JdbcClient jdbc, String sku, String state) {
        UUID id = UUID.randomUUID();
        jdbc.sql("INSERT INTO orders (id, customer_id, currency, total_cents, status, created_at, updated_at) "
                        + "VALUES (?, ?, 'EUR', 100, 'RESERVED', now(), now())")
                .params(id, "plan-" + tag)
                .update();
        reserve(jdbc, id, sku, state);
        return id;
    }

    private void reserve(JdbcClient jdbc, UUID order, String sku, String state) {
        jdbc.sql("INSERT INTO stock_reservations (order_id, sku, quantity, state) VALUES (?, ?, 1, ?)")
                .params(order, sku(sku), state)
                .update();
    }

    private String sku(String name) {
        return "PLAN-" + tag + "-" + name;
    }
}
