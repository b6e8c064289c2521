package dev.orderly.relay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.orderly.contracts.Json;
import dev.orderly.messaging.outbox.OutboxTable;
import io.micrometer.core.instrument.MeterRegistry;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.TestPropertySource;
import tools.jackson.databind.JsonNode;

/**
 * Publishing to an exchange that does not exist: the broker closes the channel, so the message is never confirmed
 * (Spring AMQP reports the closed channel's pending confirms as nacks). The row is not marked published; repeated
 * failures open the table's circuit breaker and readiness goes DOWN; once the exchange exists, the breaker lets a
 * batch through, the row goes out and readiness is UP again.
 */
@RelayIntegrationTest
@TestPropertySource(
        properties = {
            "orderly.relay.tables=orders.outbox_missing",
            "orderly.relay.exchange=" + MissingExchangeIntegrationTests.EXCHANGE,
            "orderly.relay.failures.backoff-initial=50ms",
            "orderly.relay.failures.backoff-max=100ms",
            "resilience4j.circuitbreaker.configs.default.minimum-number-of-calls=3",
            "resilience4j.circuitbreaker.configs.default.wait-duration-in-open-state=1s"
        })
class MissingExchangeIntegrationTests {

    static final String EXCHANGE = "relay-test.missing";

    static final OutboxTable TABLE = OutboxTable.parse("orders.outbox_missing");

    @Autowired
    MeterRegistry meters;

    @LocalServerPort
    int port;

    @AfterAll
    static void deleteExchange() {
        EventsProbe.withChannel(channel -> channel.exchangeDelete(EXCHANGE));
    }

    @Test
    void aRowTheBrokerNeverConfirmsStaysUnpublishedAndTheOpenCircuitMakesTheRelayNotReady() throws Exception {
        long id = OrdersSchema.insert(TABLE, UUID.randomUUID(), "test.missing", "aggregate-1", "{\"seq\":1}");

        await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> {
            HttpResponse<String> readiness = get("/actuator/health/readiness");
            assertThat(readiness.statusCode()).isEqualTo(503);
            JsonNode breaker = Json.mapper()
                    .readTree(readiness.body())
                    .at("/components/circuitBreakers/details/relay-orders.outbox_missing");
            assertThat(breaker.at("/status").asString()).isEqualTo("DOWN");
            assertThat(breaker.at("/details/state").asString()).isEqualTo("OPEN");
        });
        Map<String, Object> row = OrdersSchema.row(TABLE, id);
        assertThat(row.get("published_at")).isNull();
        assertThat(((Number) row.get("attempts")).intValue()).isGreaterThanOrEqualTo(3);
        assertThat((String) row.get("last_error"))
                .startsWith("nack: ")
                .contains("NOT_FOUND")
                .contains(EXCHANGE);
        assertThat(meters.get("orderly.outbox.publish.failures")
                        .tag("source", TABLE.qualifiedName())
                        .tag("reason", "nack")
                        .counter()
                        .count())
                .isGreaterThanOrEqualTo(3);
        assertThat(get("/actuator/health/liveness").statusCode()).isEqualTo(200);

        EventsProbe.withChannel(channel -> channel.exchangeDeclare(EXCHANGE, "topic", false, false, null));
        try (EventsProbe consumer = EventsProbe.consuming(EXCHANGE, "#")) {
            await().atMost(Duration.ofSeconds(15)).until(() -> OrdersSchema.published(TABLE, id));
            await().atMost(Duration.ofSeconds(5))
                    .until(() -> !consumer.received().isEmpty());
            assertThat(consumer.received().getFirst().bodyText()).isEqualTo("{\"seq\":1}");
        }
        await().atMost(Duration.ofSeconds(10))
                .until(() -> get("/actuator/health/readiness").statusCode() == 200);
    }

    private HttpResponse<String> get(String path) throws Exception {
        return RelayActuator.get(port, path);
    }
}
