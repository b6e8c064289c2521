package dev.orderly.relay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.orderly.messaging.outbox.OutboxNotifier;
import dev.orderly.messaging.outbox.OutboxTable;
import dev.orderly.testsupport.OrderlyInfrastructure;
import io.micrometer.core.instrument.MeterRegistry;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.SingleConnectionDataSource;
import org.springframework.test.context.TestPropertySource;

/**
 * The active instance checks its lease ({@code pg_locks}) at most once per {@code lease.verify-interval}, not before
 * every batch: a stream of rows, each its own run, costs a check per interval, not a query per row. A lease lost
 * meanwhile (its session killed) is still noticed, at the first batch after the interval, and taken back.
 */
@RelayIntegrationTest
@TestPropertySource(
        properties = {
            "orderly.relay.tables=orders.outbox_lease_interval",
            "orderly.relay.lease.verify-interval=" + LeaseVerifyIntervalIntegrationTests.VERIFY_INTERVAL_MS + "ms"
        })
class LeaseVerifyIntervalIntegrationTests {

    static final OutboxTable TABLE = OutboxTable.parse("orders.outbox_lease_interval");

    static final long VERIFY_INTERVAL_MS = 500;

    /** How often the producer commits and notifies: well apart, so that each row is published in a run of its own. */
    static final Duration PRODUCER_PACE = Duration.ofMillis(20);

    static SingleConnectionDataSource producerConnection;

    static OutboxNotifier notifier;

    @Autowired
    MeterRegistry meters;

    @BeforeAll
    static void producer() throws SQLException {
        producerConnection =
                new SingleConnectionDataSource(OrdersSchema.apiDataSource().getConnection(), true);
        notifier = new OutboxNotifier(new JdbcTemplate(producerConnection));
    }

    @AfterAll
    static void closeProducer() throws InterruptedException {
        notifier.close();
        producerConnection.destroy();
    }

    @Test
    void aStreamOfRowsChecksTheLeaseOncePerIntervalAndALostLeaseIsStillNoticed() throws SQLException {
        long first = OrdersSchema.insert(TABLE, UUID.randomUUID(), "test.lease", "aggregate-1", "{}");
        notifier.committed(TABLE);
        await().atMost(Duration.ofSeconds(15)).until(() -> OrdersSchema.published(TABLE, first));

        double checksBefore = leaseChecks();
        long began = System.nanoTime();
        long last = 0;
        JdbcClient sql = JdbcClient.create(producerConnection);
        int rows = 150;
        for (int i = 0; i < rows; i++) {
            last = OrdersSchema.insert(sql, TABLE, UUID.randomUUID(), "test.lease", "aggregate-1", "{}");
            notifier.committed(TABLE);
            // Pacing the load, not waiting for a condition: the next row is due 20 ms after this one was.
            LockSupport.parkNanos(began + (i + 1) * PRODUCER_PACE.toNanos() - System.nanoTime());
        }
        long lastRow = last;
        await().atMost(Duration.ofSeconds(15)).until(() -> OrdersSchema.published(TABLE, lastRow));
        double checks = leaseChecks() - checksBefore;
        Duration elapsed = Duration.ofNanos(System.nanoTime() - began);

        // A check per interval at most, and one more for the run in progress at each end.
        long bound = elapsed.toMillis() / VERIFY_INTERVAL_MS + 2;
        assertThat(checks)
                .as("lease checks while %d rows went out one by one in %s", rows, elapsed)
                .isLessThanOrEqualTo(bound);

        // Within the interval, the relay may still publish on the lease it has lost (the zombie window); its next
        // check finds the session gone, and it takes the lease back on a new one.
        int killed = leaseSession();
        assertThat(killed).as("the relay's lease session").isPositive();
        assertThat(terminate(killed)).isTrue();
        double checksAtLoss = leaseChecks();
        await("the lease taken back on a new session")
                .atMost(Duration.ofSeconds(15))
                .until(() -> {
                    int holder = leaseSession();
                    return holder != 0 && holder != killed;
                });
        assertThat(leaseChecks()).as("the loss found by a check").isGreaterThan(checksAtLoss);
        long afterLoss = OrdersSchema.insert(TABLE, UUID.randomUUID(), "test.lease", "aggregate-1", "{}");
        notifier.committed(TABLE);
        await().atMost(Duration.ofSeconds(15)).until(() -> OrdersSchema.published(TABLE, afterLoss));
    }

    private double leaseChecks() {
        return meters.get("orderly.outbox.lease.checks")
                .tag("source", TABLE.qualifiedName())
                .counter()
                .count();
    }

    /** The backend of the relay's lease session that holds an advisory lock, or 0 if none does. */
    private static int leaseSession() throws SQLException {
        return superuserInt("SELECT coalesce(max(a.pid), 0) FROM pg_stat_activity a JOIN pg_locks l ON l.pid = a.pid "
                + "WHERE a.application_name LIKE 'outbox-relay/test-relay/lease %' AND l.locktype = 'advisory' "
                + "AND l.granted");
    }

    private static boolean terminate(int backend) throws SQLException {
        return superuserInt("SELECT pg_terminate_backend(" + backend + ")::int") == 1;
    }

    private static int superuserInt(String query) throws SQLException {
        try (Connection connection = OrderlyInfrastructure.postgres().connectAsSuperuser();
                Statement statement = connection.createStatement();
                var result = statement.executeQuery(query)) {
            result.next();
            return result.getInt(1);
        }
    }
}
