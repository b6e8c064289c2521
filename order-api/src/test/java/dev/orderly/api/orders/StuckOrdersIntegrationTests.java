package dev.orderly.api.orders;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.orderly.testsupport.RealInfrastructure;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * An order that stays in a non-final state past the threshold is counted as stuck, by state, with the age of the
 * oldest; once it reaches a final state it no longer is.
 */
@SpringBootTest(properties = {"orderly.api.stuck-orders.after=1h", "orderly.api.stuck-orders.sample-interval=200ms"})
@RealInfrastructure
class StuckOrdersIntegrationTests {

    @Autowired
    JdbcClient jdbc;

    @Autowired
    MeterRegistry meters;

    @Test
    void anOrderPaidTwoHoursAgoAndNeverShippedIsStuckUntilItShips() {
        UUID orderId = UUID.randomUUID();
        // No other test leaves an order open for an hour: this one is the only stuck order.
        jdbc.sql("""
                        INSERT INTO orders (id, customer_id, currency, total_cents, status, created_at, updated_at)
                        VALUES (?, 'c-stuck', 'EUR', 100, 'PAID', now() - interval '2 hours', now())
                        """).param(orderId).update();

        await().atMost(Duration.ofSeconds(10)).until(() -> stuck("PAID") == 1);
        assertThat(stuck("PENDING")).isZero();
        assertThat(meters.get("orderly.orders.stuck.oldest.age").gauge().value())
                .isGreaterThanOrEqualTo(7_200);

        jdbc.sql("UPDATE orders SET status = 'SHIPPED' WHERE id = ?")
                .param(orderId)
                .update();

        await().atMost(Duration.ofSeconds(10)).until(() -> stuck("PAID") == 0);
        assertThat(meters.get("orderly.orders.stuck.oldest.age").gauge().value())
                .isZero();
    }

    private double stuck(String status) {
        return meters.get("orderly.orders.stuck").tag("status", status).gauge().value();
    }
}
