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
 * pipeline that has shipped many orders has: its plan reads {@code stock_reservations} by the batch's orders, never
 * the whole table (a batch held its orders' locks for the length of that read, which grew with every order).
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.NONE)
@RealInfrastructure
@Import(OrdersSchema.class)
class StockLocksIntegrationTests {

    private static final int SHIPPED_ORDERS = 20_000;

    @Autowired
    OrdersSchema.Migrated migrated;

    @Test
    void aBatchsStockLockReadsTheReservationsOfItsOrdersOnlyHoweverManyThereAre() throws SQLException {
        // As the superuser: order-worker's own role may not create orders (order-api's), and the plan is the same.
        try (Connection connection = OrderlyInfrastructure.postgres().connectAsSuperuser()) {
            connection.createStatement().execute("SET search_path = orders");
            assertThePlan(JdbcClient.create(new SingleConnectionDataSource(connection, true)));
        }
    }

    private static void assertThePlan(JdbcClient jdbc) {
        String tag = UUID.randomUUID().toString().substring(0, 8);
        jdbc.sql("""
                        WITH shipped AS (
                            INSERT INTO orders (id, customer_id, currency, total_cents, status, created_at, updated_at)
                            SELECT gen_random_uuid(), 'plan-' || :tag, 'EUR', 100, 'SHIPPED', now(), now()
                            FROM generate_series(1, :count)
                            RETURNING id
                        )
                        INSERT INTO stock_reservations (order_id, sku, quantity, state)
                        SELECT id, 'PLAN-' || :tag || '-' || n, 1, 'SHIPPED' FROM shipped, generate_series(1, 2) n""").param("tag", tag).param("count", SHIPPED_ORDERS).update();
        jdbc.sql("ANALYZE stock_reservations").update();
        jdbc.sql("ANALYZE early_shipments").update();
        List<UUID> batch = jdbc.sql("SELECT id FROM orders WHERE customer_id = ? LIMIT 20")
                .param("plan-" + tag)
                .query(UUID.class)
                .list();

        List<String> plan = jdbc.sql("EXPLAIN " + StockReservations.LOCK_ALL)
                .param("skus", new String[] {"PLAN-" + tag + "-1"})
                .param("settling", batch.subList(0, 10).toArray(UUID[]::new))
                .param("paying", batch.subList(10, 20).toArray(UUID[]::new))
                .query(String.class)
                .list();

        assertThat(plan)
                .as("the plan of a batch's stock lock with %d reservations in the table", 2 * SHIPPED_ORDERS)
                .noneMatch(line -> line.contains("Seq Scan on stock_reservations"))
                .anyMatch(line -> line.contains("stock_reservations_pkey"));
    }
}
