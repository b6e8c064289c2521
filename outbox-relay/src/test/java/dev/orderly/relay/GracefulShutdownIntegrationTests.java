package dev.orderly.relay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.orderly.messaging.outbox.OutboxTable;
import dev.orderly.relay.lease.LeaseKey;
import dev.orderly.testsupport.OrderlyInfrastructure;
import dev.orderly.testsupport.PostgresServer;
import dev.orderly.testsupport.RabbitBroker;
import dev.orderly.testsupport.TestKeys;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Closing the relay in the middle of a large backlog: it stops taking rows, waits for the confirms of what it sent and
 * marks those, releases its lease at once, and every row it marked published did reach the broker.
 */
class GracefulShutdownIntegrationTests {

    static final OutboxTable TABLE = OutboxTable.parse("orders.outbox_shutdown");

    static final int ROWS = 20_000;

    @Test
    void shutdownMidStreamMarksOnlyConfirmedRowsAndReleasesTheLease() throws SQLException {
        OrdersSchema.outboxCopy(TABLE.table());
        OrdersSchema.insertMany(TABLE, ROWS, "test.shutdown", 10);
        try (EventsProbe consumer = EventsProbe.onEvents("test.shutdown")) {
            ConfigurableApplicationContext relay = start();
            await().atMost(Duration.ofSeconds(30)).until(() -> OrdersSchema.publishedCount(TABLE) > 0);

            long closing = System.nanoTime();
            relay.close();
            Duration took = Duration.ofNanos(System.nanoTime() - closing);

            assertThat(took).isLessThan(Duration.ofSeconds(15));
            assertThat(leaseHolders()).isZero();
            long published = OrdersSchema.publishedCount(TABLE);
            assertThat(published).isLessThan(ROWS);
            await().during(Duration.ofSeconds(1))
                    .atMost(Duration.ofSeconds(2))
                    .until(() -> OrdersSchema.publishedCount(TABLE) == published);
            Set<String> marked = new HashSet<>(publishedEventIds());
            await().atMost(Duration.ofSeconds(10))
                    .untilAsserted(() ->
                            assertThat(new HashSet<>(consumer.messageIds())).containsAll(marked));
        }
    }

    static ConfigurableApplicationContext start() {
        PostgresServer postgres = OrderlyInfrastructure.postgres();
        RabbitBroker rabbit = OrderlyInfrastructure.rabbit();
        // Command-line arguments: they win over application.yaml (builder "properties" are only defaults).
        java.util.List<String> args = new java.util.ArrayList<>(java.util.List.of(
                "--spring.datasource.url=" + postgres.jdbcUrl(),
                "--spring.datasource.username=orderly_relay",
                "--spring.datasource.password=" + postgres.passwordFor("orderly_relay"),
                "--spring.rabbitmq.host=" + rabbit.host(),
                "--spring.rabbitmq.port=" + rabbit.amqpPort(),
                "--spring.rabbitmq.virtual-host=" + rabbit.virtualHost(),
                "--spring.rabbitmq.username=" + rabbit.adminUser(),
                "--spring.rabbitmq.password=" + rabbit.adminPassword(),
                "--server.port=0",
                "--logging.structured.format.console=",
                "--orderly.relay.instance-id=shutdown-test",
                "--orderly.relay.tables=" + TABLE.qualifiedName(),
                "--orderly.relay.publish.batch-size=200",
                // Its management side is a resource server: it does not start without a key to check
                // tokens with (this test calls none of it).
                "--" + TestKeys.PUBLIC_KEY_LOCATION + "=" + TestKeys.publicKeyLocation()));
        // The broker takes TLS only, with the client certificate.
        rabbit.springSslProperties().forEach((name, value) -> args.add("--" + name + "=" + value));
        return new SpringApplicationBuilder(OutboxRelayApplication.class).run(args.toArray(String[]::new));
    }

    static long leaseHolders() throws SQLException {
        try (Connection connection = OrderlyInfrastructure.postgres().connectAsSuperuser();
                PreparedStatement statement = connection.prepareStatement("""
                        SELECT count(*) FROM pg_locks
                        WHERE locktype = 'advisory' AND granted AND objsubid = 1
                          AND ((classid::bigint << 32) | objid::bigint) = ?
                        """)) {
            statement.setLong(1, LeaseKey.of(TABLE));
            try (ResultSet result = statement.executeQuery()) {
                result.next();
                return result.getLong(1);
            }
        }
    }

    static List<String> publishedEventIds() {
        return OrdersSchema.api()
                .sql("SELECT event_id::text FROM %s WHERE published_at IS NOT NULL".formatted(TABLE))
                .query(String.class)
                .list();
    }
}
