package dev.orderly.relay.lease;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.orderly.messaging.outbox.OutboxTable;
import dev.orderly.relay.DedicatedConnections;
import dev.orderly.testsupport.OrderlyInfrastructure;
import dev.orderly.testsupport.PostgresServer;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.springframework.boot.jdbc.autoconfigure.JdbcConnectionDetails;

/**
 * The lease against a real PostgreSQL, as the relay's own role: one holder per table; the holder notices when its
 * session is gone; and the lock is free for a standby the moment the holder's session ends or it releases.
 */
class AdvisoryLeaseIntegrationTests {

    static final OutboxTable TABLE = OutboxTable.parse("orders.outbox_lease_test");

    @Test
    void onlyOneInstanceHoldsATablesLeaseAndAStandbyTakesOverWhenTheHoldersSessionDies() throws SQLException {
        try (AdvisoryLease first = lease("instance-a");
                AdvisoryLease second = lease("instance-b")) {
            assertThat(first.tryAcquire()).isTrue();
            assertThat(second.tryAcquire()).isFalse();
            assertThat(first.verify()).isTrue();
            assertThat(holder()).isEqualTo("outbox-relay/instance-a/lease orders.outbox_lease_test");

            assertThat(terminate("outbox-relay/instance-a/lease orders.outbox_lease_test"))
                    .isEqualTo(1);

            // The backend exits, and frees the lock, a moment after being signalled.
            await().atMost(Duration.ofSeconds(5)).until(() -> !first.verify());
            assertThat(first.isHeld()).isFalse();
            await().atMost(Duration.ofSeconds(5)).until(second::tryAcquire);
            assertThat(holder()).isEqualTo("outbox-relay/instance-b/lease orders.outbox_lease_test");
            assertThat(first.tryAcquire()).isFalse();
        }
    }

    @Test
    void aReleasedLeaseIsFreeAtOnce() throws SQLException {
        try (AdvisoryLease first = lease("instance-c");
                AdvisoryLease second = lease("instance-d")) {
            assertThat(first.tryAcquire()).isTrue();

            first.release();

            assertThat(first.isHeld()).isFalse();
            assertThat(second.tryAcquire()).isTrue();
            assertThat(second.verify()).isTrue();
        }
        assertThat(holder()).isNull();
    }

    @Test
    void differentTablesHaveIndependentLeases() throws SQLException {
        try (AdvisoryLease orders = lease("instance-e");
                AdvisoryLease payments = new AdvisoryLease(
                        OutboxTable.parse("payments.outbox"), connections("instance-f"), Duration.ofSeconds(2))) {
            assertThat(orders.tryAcquire()).isTrue();
            assertThat(payments.tryAcquire()).isTrue();
        }
    }

    @Test
    void theLeaseSessionsTimeoutsForAVanishedClientAreTheRelayRolesToSet() throws SQLException {
        try (Connection session = connections("instance-g").open("lease probe");
                java.sql.Statement statement = session.createStatement()) {
            statement.execute(AdvisoryLease.TIGHT_KEEPALIVES);

            assertThat(setting(statement, "tcp_keepalives_idle")).isEqualTo("5 s");
            assertThat(setting(statement, "tcp_keepalives_count")).isEqualTo("3 ");
            assertThat(setting(statement, "tcp_user_timeout")).isEqualTo("11000 ms");
        }
    }

    /** The session's value of {@code name} in its base unit, and the unit: {@code "5 s"}. */
    private static String setting(java.sql.Statement statement, String name) throws SQLException {
        try (ResultSet value = statement.executeQuery(
                "SELECT setting || ' ' || coalesce(unit, '') FROM pg_settings WHERE name = '" + name + "'")) {
            value.next();
            return value.getString(1);
        }
    }

    static AdvisoryLease lease(String instance) {
        return new AdvisoryLease(TABLE, connections(instance), Duration.ofSeconds(2));
    }

    static DedicatedConnections connections(String instance) {
        PostgresServer postgres = OrderlyInfrastructure.postgres();
        return new DedicatedConnections(
                new JdbcConnectionDetails() {
                    @Override
                    public String getUsername() {
                        return "orderly_relay";
                    }

                    @Override
                    public String getPassword() {
                        return postgres.passwordFor("orderly_relay");
                    }

                    @Override
                    public String getJdbcUrl() {
                        return postgres.jdbcUrl();
                    }
                },
                instance);
    }

    /** The application name of the session holding the table's lease, as an operator would look it up. */
    static String holder() throws SQLException {
        try (Connection connection = OrderlyInfrastructure.postgres().connectAsSuperuser();
                PreparedStatement statement = connection.prepareStatement("""
                        SELECT a.application_name FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
                        WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1
                          AND ((l.classid::bigint << 32) | l.objid::bigint) = ?
                        """)) {
            statement.setLong(1, LeaseKey.of(TABLE));
            try (ResultSet result = statement.executeQuery()) {
                return result.next() ? result.getString(1) : null;
            }
        }
    }

    static int terminate(String applicationName) throws SQLException {
        try (Connection connection = OrderlyInfrastructure.postgres().connectAsSuperuser();
                PreparedStatement statement = connection.prepareStatement(
                        "SELECT count(*) FILTER (WHERE pg_terminate_backend(pid)) FROM pg_stat_activity "
                                + "WHERE application_name = ?")) {
            statement.setString(1, applicationName);
            try (ResultSet result = statement.executeQuery()) {
                result.next();
                return result.getInt(1);
            }
        }
    }
}
