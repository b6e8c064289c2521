package dev.orderly.relay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.orderly.messaging.outbox.OutboxNotifier;
import dev.orderly.messaging.outbox.OutboxTable;
import dev.orderly.relay.publishing.Relay;
import dev.orderly.relay.publishing.TableStatus;
import dev.orderly.testsupport.OrderlyInfrastructure;
import dev.orderly.testsupport.RabbitBroker;
import io.micrometer.core.instrument.MeterRegistry;
import java.sql.SQLException;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.SingleConnectionDataSource;
import org.springframework.test.context.TestPropertySource;

/**
 * A resource alarm on the broker (its free-disk limit raised above the free space, or its memory watermark set below
 * what it uses) blocks the relay's connection: the relay pauses, shows it in {@code orderly.outbox.blocked}, marks
 * nothing published, keeps its lease checks to its poll interval however many notifications arrive, and resumes by
 * itself once the alarm clears.
 */
@RelayIntegrationTest
@TestPropertySource(
        properties = {"orderly.relay.tables=orders.outbox_blocked", "orderly.relay.publish.confirm-timeout=2s"})
class BlockedConnectionIntegrationTests {

    static final OutboxTable TABLE = OutboxTable.parse("orders.outbox_blocked");

    /** RabbitMQ's default free-disk limit, restored after the test. */
    static final String DEFAULT_DISK_FREE_LIMIT = "50MB";

    /** RabbitMQ's default memory high watermark (a fraction of the memory it may use), restored after the test. */
    static final String DEFAULT_MEMORY_WATERMARK = "0.4";

    /** The tests' poll interval ({@link RelayIntegrationTest}): the longest a blocked drainer pauses between checks. */
    static final Duration POLL_INTERVAL = Duration.ofMillis(200);

    /** How often the producers commit and notify during the memory alarm. */
    static final Duration PRODUCER_PACE = Duration.ofMillis(20);

    static SingleConnectionDataSource notifierConnection;

    static OutboxNotifier notifier;

    @Autowired
    MeterRegistry meters;

    @Autowired
    Relay relay;

    final RabbitBroker rabbit = OrderlyInfrastructure.rabbit();

    @BeforeAll
    static void producer() throws SQLException {
        notifierConnection = producerConnection();
        notifier = new OutboxNotifier(new JdbcTemplate(notifierConnection));
    }

    @AfterAll
    static void closeProducer() throws InterruptedException {
        notifier.close();
        notifierConnection.destroy();
    }

    @AfterEach
    void clearAlarms() {
        rabbit.rabbitmqctl("set_disk_free_limit", DEFAULT_DISK_FREE_LIMIT);
        rabbit.rabbitmqctl("set_vm_memory_high_watermark", DEFAULT_MEMORY_WATERMARK);
    }

    @Test
    void aDiskAlarmPausesPublishingUntilItClears() {
        EventsProbe.declareEventsTopology();
        long before = OrdersSchema.insert(TABLE, UUID.randomUUID(), "test.blocked", "aggregate-1", "{}");
        await().atMost(Duration.ofSeconds(10)).until(() -> OrdersSchema.published(TABLE, before));

        rabbit.rabbitmqctl("set_disk_free_limit", "1000000GB");
        long during = OrdersSchema.insert(TABLE, UUID.randomUUID(), "test.blocked", "aggregate-1", "{}");

        await().atMost(Duration.ofSeconds(30)).until(() -> blockedGauge() == 1);
        await().atMost(Duration.ofSeconds(10))
                .until(() -> relay.statuses().getFirst().state() == TableStatus.State.BLOCKED);
        await().during(Duration.ofSeconds(3))
                .atMost(Duration.ofSeconds(4))
                .until(() -> !OrdersSchema.published(TABLE, during));

        rabbit.rabbitmqctl("set_disk_free_limit", DEFAULT_DISK_FREE_LIMIT);

        await().atMost(Duration.ofSeconds(30)).until(() -> OrdersSchema.published(TABLE, during));
        assertThat(blockedGauge()).isZero();
    }

    @Test
    void notificationsDuringAMemoryAlarmDoNotSpinTheDrainerAndPublishingResumesAfterIt() throws SQLException {
        EventsProbe.declareEventsTopology();
        long before = OrdersSchema.insert(TABLE, UUID.randomUUID(), "test.blocked", "aggregate-1", "{}");
        await().atMost(Duration.ofSeconds(10)).until(() -> OrdersSchema.published(TABLE, before));

        rabbit.rabbitmqctl("set_vm_memory_high_watermark", "absolute", "1MB");
        long during = OrdersSchema.insert(TABLE, UUID.randomUUID(), "test.blocked", "aggregate-1", "{}");
        notifier.committed(TABLE);
        await().atMost(Duration.ofSeconds(30)).until(() -> blockedGauge() == 1);
        await().atMost(Duration.ofSeconds(10))
                .until(() -> relay.statuses().getFirst().state() == TableStatus.State.BLOCKED);

        // Producers keep committing and notifying throughout the alarm: 150 notifications, about 50 a second, from
        // one connection (a fresh connection per row, with its TLS handshake and SCRAM exchange, paced a slow
        // machine's producer well below that).
        double checksBefore = leaseChecks();
        long began = System.nanoTime();
        try (SingleConnectionDataSource producer = producerConnection()) {
            JdbcClient sql = JdbcClient.create(producer);
            for (int i = 0; i < 150; i++) {
                OrdersSchema.insert(sql, TABLE, UUID.randomUUID(), "test.blocked", "aggregate-1", "{}");
                notifier.committed(TABLE);
                // Pacing the load, not waiting for a condition: the next row is due 20 ms after this one was.
                LockSupport.parkNanos(began + (i + 1) * PRODUCER_PACE.toNanos() - System.nanoTime());
            }
        }
        double checks = leaseChecks() - checksBefore;
        Duration elapsed = Duration.ofNanos(System.nanoTime() - began);

        // One check per poll interval while blocked, and a few more for the notifications' own wake-ups at most.
        long bound = 2 * (elapsed.toMillis() / POLL_INTERVAL.toMillis()) + 5;
        assertThat(checks)
                .as("lease checks in %s of a memory alarm with notifications arriving", elapsed)
                .isLessThanOrEqualTo(bound);
        assertThat(OrdersSchema.published(TABLE, during)).isFalse();

        rabbit.rabbitmqctl("set_vm_memory_high_watermark", DEFAULT_MEMORY_WATERMARK);

        await().atMost(Duration.ofSeconds(30)).until(() -> OrdersSchema.published(TABLE, during));
        await().atMost(Duration.ofSeconds(30)).until(() -> OrdersSchema.unpublishedCount(TABLE) == 0);
        assertThat(blockedGauge()).isZero();
    }

    private static SingleConnectionDataSource producerConnection() throws SQLException {
        return new SingleConnectionDataSource(OrdersSchema.apiDataSource().getConnection(), true);
    }

    private double leaseChecks() {
        return meters.get("orderly.outbox.lease.checks")
                .tag("source", TABLE.qualifiedName())
                .counter()
                .count();
    }

    private double blockedGauge() {
        return meters.get("orderly.outbox.blocked").gauge().value();
    }
}
