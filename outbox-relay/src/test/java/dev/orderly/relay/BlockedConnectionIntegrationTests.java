package dev.orderly.relay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.orderly.messaging.outbox.OutboxTable;
import dev.orderly.relay.publishing.Relay;
import dev.orderly.relay.publishing.TableStatus;
import dev.orderly.testsupport.OrderlyInfrastructure;
import dev.orderly.testsupport.RabbitBroker;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.context.TestPropertySource;

/**
 * A disk alarm on the broker (its free-disk limit raised above the free space) blocks the relay's connection: the
 * relay pauses, shows it in {@code orderly.outbox.blocked}, marks nothing published, and resumes by itself once the
 * alarm clears.
 */
@RelayIntegrationTest
@TestPropertySource(
        properties = {"orderly.relay.tables=orders.outbox_blocked", "orderly.relay.publish.confirm-timeout=2s"})
class BlockedConnectionIntegrationTests {

    static final OutboxTable TABLE = OutboxTable.parse("orders.outbox_blocked");

    /** RabbitMQ's default free-disk limit, restored after the test. */
    static final String DEFAULT_DISK_FREE_LIMIT = "50MB";

    @Autowired
    MeterRegistry meters;

    @Autowired
    Relay relay;

    final RabbitBroker rabbit = OrderlyInfrastructure.rabbit();

    @AfterEach
    void clearAlarm() {
        rabbit.rabbitmqctl("set_disk_free_limit", DEFAULT_DISK_FREE_LIMIT);
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

    private double blockedGauge() {
        return meters.get("orderly.outbox.blocked").gauge().value();
    }
}
