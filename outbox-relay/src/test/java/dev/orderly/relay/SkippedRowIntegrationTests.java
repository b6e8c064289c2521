package dev.orderly.relay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.orderly.messaging.outbox.OutboxTable;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.SingleConnectionDataSource;
import org.springframework.test.context.TestPropertySource;

/**
 * A transaction that took its row's id before others but commits after them: the relay's run, reading on after the
 * last row it sent, skipped that row. It now looks for it again and sends it as soon as it is committed, while the run
 * goes on, instead of when the run ends (under a steady stream, a run hardly ends: that was the relay's latency tail).
 */
@RelayIntegrationTest
@TestPropertySource(properties = "orderly.relay.tables=orders.outbox_skipped")
class SkippedRowIntegrationTests {

    static final OutboxTable TABLE = OutboxTable.parse("orders.outbox_skipped");

    static final int BACKLOG = 20_000;

    @Test
    void aRowCommittedAfterLaterOnesGoesOutWhileTheRunThatSkippedItGoesOn() throws SQLException {
        long before = OrdersSchema.insert(TABLE, UUID.randomUUID(), "test.skipped", "aggregate-1", "{}");
        await().atMost(Duration.ofSeconds(15)).until(() -> OrdersSchema.published(TABLE, before));

        long late;
        try (Connection straggler = OrdersSchema.apiDataSource().getConnection()) {
            straggler.setAutoCommit(false);
            late = OrdersSchema.insert(
                    JdbcClient.create(new SingleConnectionDataSource(straggler, true)),
                    TABLE,
                    UUID.randomUUID(),
                    "test.skipped",
                    "aggregate-late",
                    "{}");
            // Committed while the late row's transaction is still open: every one of them has a higher id.
            OrdersSchema.insertMany(TABLE, BACKLOG, "test.skipped", 10);
            await("the relay's run through the backlog under way")
                    .atMost(Duration.ofSeconds(30))
                    .until(() -> OrdersSchema.publishedCount(TABLE) > 1);
            straggler.commit();
        }
        await().atMost(Duration.ofSeconds(60)).until(() -> OrdersSchema.unpublishedCount(TABLE) == 0);

        long publishedAfterIt = OrdersSchema.api()
                .sql("SELECT count(*) FROM %1$s WHERE published_at > (SELECT published_at FROM %1$s WHERE id = ?)"
                        .formatted(TABLE))
                .param(late)
                .query(Long.class)
                .single();
        assertThat(late).isLessThan(before + 2 + BACKLOG);
        assertThat(publishedAfterIt)
                .as("rows of the backlog published after the late row (0: it waited for the run's end)")
                .isGreaterThan(BACKLOG / 10);
    }
}
