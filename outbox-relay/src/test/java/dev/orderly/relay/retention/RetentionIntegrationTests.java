package dev.orderly.relay.retention;

import static org.assertj.core.api.Assertions.assertThat;

import dev.orderly.messaging.outbox.OutboxTable;
import dev.orderly.relay.OrdersSchema;
import dev.orderly.relay.outbox.OutboxRows;
import dev.orderly.testsupport.OrderlyInfrastructure;
import dev.orderly.testsupport.PostgresServer;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.SimpleDriverDataSource;

/**
 * Retention, as the relay's own role: rows published longer ago than the retention are deleted, batch after batch;
 * rows published recently and unpublished rows (however old) never are; and only the active instance purges.
 */
class RetentionIntegrationTests {

    static final OutboxTable TABLE = OutboxTable.parse("orders.outbox_retention");

    OutboxRows rows;

    @BeforeEach
    void table() {
        OrdersSchema.outboxCopy(TABLE.table());
        PostgresServer postgres = OrderlyInfrastructure.postgres();
        rows = new OutboxRows(
                TABLE,
                JdbcClient.create(new SimpleDriverDataSource(
                        new org.postgresql.Driver(),
                        postgres.jdbcUrl(),
                        "orderly_relay",
                        postgres.passwordFor("orderly_relay"))));
    }

    @Test
    void deletesOnlyRowsPublishedLongerAgoThanTheRetention() {
        for (int i = 0; i < 5; i++) {
            insert("expired-" + i, "now() - interval '3 days'", "now() - interval '2 days'");
        }
        insert("recent", "now() - interval '3 days'", "now() - interval '1 minute'");
        insert("unpublished", "now() - interval '3 days'", "NULL");

        long deleted = new RetentionPurge(List.of(rows), table -> true, Duration.ofHours(1), 2, 100).purge(rows);

        assertThat(deleted).isEqualTo(5);
        assertThat(remaining()).containsExactlyInAnyOrder("recent", "unpublished");
    }

    @Test
    void aStandbyInstanceDeletesNothing() {
        insert("expired", "now() - interval '3 days'", "now() - interval '2 days'");

        new RetentionPurge(List.of(rows), table -> false, Duration.ofHours(1), 100, 100).run();

        assertThat(remaining()).containsExactly("expired");
    }

    private static void insert(String aggregate, String createdAt, String publishedAt) {
        OrdersSchema.api()
                .sql("""
                        INSERT INTO %s (event_id, event_type, routing_key, aggregate_id, payload, created_at,
                                        published_at)
                        VALUES (?, 'test.retention', 'test.retention', ?, '{}', %s, %s)
                        """.formatted(TABLE, createdAt, publishedAt))
                .param(UUID.randomUUID())
                .param(aggregate)
                .update();
    }

    private static List<String> remaining() {
        return OrdersSchema.api()
                .sql("SELECT aggregate_id FROM %s ORDER BY id".formatted(TABLE))
                .query(String.class)
                .list();
    }
}
