package dev.orderly.relay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.orderly.messaging.outbox.OutboxTable;
import dev.orderly.relay.health.RelayHealthIndicator;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.context.TestPropertySource;

/**
 * Publishing to an exchange without an alternate exchange and without bindings: every message comes back acked
 * <em>and</em> returned. Such a row is not a success: it stays unpublished with every row after it, its attempts and
 * the reason are recorded on it, and once it keeps failing it is flagged (gauge, health detail) until a binding
 * appears, when both rows go out in order.
 */
@RelayIntegrationTest
@TestPropertySource(
        properties = {
            "orderly.relay.tables=orders.outbox_returns",
            "orderly.relay.exchange=" + ReturnedPublishIntegrationTests.EXCHANGE,
            "orderly.relay.failures.backoff-initial=100ms",
            "orderly.relay.failures.backoff-max=200ms",
            "orderly.relay.failures.flag-after-attempts=3"
        })
class ReturnedPublishIntegrationTests {

    static final String EXCHANGE = "relay-test.no-alternate";

    static final OutboxTable TABLE = OutboxTable.parse("orders.outbox_returns");

    @Autowired
    MeterRegistry meters;

    @Autowired
    RelayHealthIndicator health;

    @BeforeAll
    static void exchangeWithoutAlternate() {
        EventsProbe.withChannel(channel -> channel.exchangeDeclare(EXCHANGE, "topic", false, false, null));
    }

    @AfterAll
    static void deleteExchange() {
        EventsProbe.withChannel(channel -> channel.exchangeDelete(EXCHANGE));
    }

    @Test
    void aReturnedRowIsNotMarkedPublishedHoldsBackLaterRowsAndIsFlaggedUntilItCanBeRouted() {
        UUID firstEvent = UUID.randomUUID();
        long first = OrdersSchema.insert(TABLE, firstEvent, "test.returned", "aggregate-1", "{\"seq\":1}");
        long second = OrdersSchema.insert(TABLE, UUID.randomUUID(), "test.returned", "aggregate-1", "{\"seq\":2}");

        await().atMost(Duration.ofSeconds(15))
                .until(() -> ((Number) OrdersSchema.row(TABLE, first).get("attempts")).intValue() >= 3);

        Map<String, Object> row = OrdersSchema.row(TABLE, first);
        assertThat(row.get("published_at")).isNull();
        assertThat(row.get("last_attempt_at")).isNotNull();
        assertThat((String) row.get("last_error")).startsWith("returned: ").contains("312 NO_ROUTE");
        assertThat(OrdersSchema.published(TABLE, second)).isFalse();
        assertThat(OrdersSchema.row(TABLE, second)).containsEntry("attempts", 0);
        assertThat(meters.get("orderly.outbox.publish.failures")
                        .tag("source", TABLE.qualifiedName())
                        .tag("reason", "returned")
                        .counter()
                        .count())
                .isGreaterThanOrEqualTo(3);
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
            assertThat(meters.get("orderly.outbox.failing")
                            .tag("source", TABLE.qualifiedName())
                            .gauge()
                            .value())
                    .isEqualTo(1);
            assertThat(health.health().getDetails().toString())
                    .contains("failingRow")
                    .contains("eventId=" + firstEvent);
        });

        try (EventsProbe consumer = EventsProbe.consuming(EXCHANGE, "test.returned")) {
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> OrdersSchema.published(TABLE, first) && OrdersSchema.published(TABLE, second));

            await().atMost(Duration.ofSeconds(5))
                    .until(() -> consumer.received().size() >= 2);
            assertThat(consumer.received())
                    .extracting(EventsProbe.Received::bodyText)
                    .containsExactly("{\"seq\":1}", "{\"seq\":2}");
        }
        assertThat(meters.get("orderly.outbox.failing")
                        .tag("source", TABLE.qualifiedName())
                        .gauge()
                        .value())
                .isZero();
        assertThat(health.health().getDetails().toString()).doesNotContain("failingRow");
    }
}
