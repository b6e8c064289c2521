package dev.orderly.relay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.orderly.messaging.outbox.OutboxNotifier;
import dev.orderly.messaging.outbox.OutboxTable;
import dev.orderly.relay.wakeup.OutboxNotifications;
import dev.orderly.testsupport.OrderlyInfrastructure;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.TestPropertySource;

/**
 * With polling out of the picture (an hour between polls), only a notification can make the relay look: a row
 * nobody announces waits, the same row announced by {@link OutboxNotifier} goes out at once, and the listener comes
 * back by itself after its session is killed.
 */
@RelayIntegrationTest
@TestPropertySource(properties = {"orderly.relay.tables=orders.outbox_wakeup", "orderly.relay.wakeup.poll-interval=1h"})
class NotificationWakeupIntegrationTests {

    static final OutboxTable TABLE = OutboxTable.parse("orders.outbox_wakeup");

    static OutboxNotifier notifier;

    @Autowired
    OutboxNotifications notifications;

    @BeforeAll
    static void producer() {
        notifier = new OutboxNotifier(new JdbcTemplate(OrdersSchema.apiDataSource()));
    }

    @AfterAll
    static void closeProducer() throws InterruptedException {
        notifier.close();
    }

    @Test
    void aRowGoesOutWhenItsCommitIsNotifiedAndNotBefore() {
        awaitListening();
        long id = OrdersSchema.insert(TABLE, UUID.randomUUID(), "test.wakeup", "aggregate-1", "{}");

        await().during(Duration.ofSeconds(2))
                .atMost(Duration.ofSeconds(3))
                .until(() -> !OrdersSchema.published(TABLE, id));

        notifier.committed(TABLE);

        await().atMost(Duration.ofSeconds(5)).until(() -> OrdersSchema.published(TABLE, id));
    }

    @Test
    void theListenerReconnectsAfterItsSessionIsKilledAndLooksForMissedRows() throws SQLException {
        awaitListening();
        // Never announced, as if its notification had been sent while the listener was away.
        long missed = OrdersSchema.insert(TABLE, UUID.randomUUID(), "test.wakeup", "aggregate-2", "{}");
        await().during(Duration.ofSeconds(1))
                .atMost(Duration.ofSeconds(2))
                .until(() -> !OrdersSchema.published(TABLE, missed));

        assertThat(terminateListeningSession()).isEqualTo(1);

        await().atMost(Duration.ofSeconds(10)).until(() -> OrdersSchema.published(TABLE, missed));

        awaitListening();
        long announced = OrdersSchema.insert(TABLE, UUID.randomUUID(), "test.wakeup", "aggregate-2", "{}");
        notifier.committed(TABLE);
        await().atMost(Duration.ofSeconds(5)).until(() -> OrdersSchema.published(TABLE, announced));
    }

    /** Waits until the relay's session has executed LISTEN. */
    void awaitListening() {
        await().atMost(Duration.ofSeconds(15)).until(notifications::listening);
    }

    static int terminateListeningSession() throws SQLException {
        try (Connection connection = OrderlyInfrastructure.postgres().connectAsSuperuser();
                Statement statement = connection.createStatement();
                var result = statement.executeQuery("""
                        SELECT count(*) FILTER (WHERE pg_terminate_backend(pid)) FROM pg_stat_activity
                        WHERE application_name = 'outbox-relay/test-relay/listen'
                        """)) {
            result.next();
            return result.getInt(1);
        }
    }
}
