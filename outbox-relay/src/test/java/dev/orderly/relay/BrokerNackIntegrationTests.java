package dev.orderly.relay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.orderly.contracts.Json;
import dev.orderly.contracts.Topology;
import dev.orderly.messaging.outbox.OutboxTable;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.TestPropertySource;
import tools.jackson.databind.JsonNode;

/**
 * The broker answers a publish with basic.nack (here a queue that takes nothing: {@code x-max-length} 0 with {@code
 * reject-publish}; in a cluster, every quorum queue whose leader was lost, until a new one is elected). The broker is
 * reachable and answering, so the row backs off and is tried again, but the table's circuit breaker stays closed:
 * before this, five nacks opened it and held the table for its open state long after the queues were back (a leader
 * election of two seconds stalled a cluster's pipeline for twelve). Once the queue takes messages the row goes out.
 */
@RelayIntegrationTest
@TestPropertySource(
        properties = {
            "orderly.relay.tables=orders.outbox_nacked",
            "orderly.relay.failures.backoff-initial=50ms",
            "orderly.relay.failures.backoff-max=100ms",
            "resilience4j.circuitbreaker.configs.default.minimum-number-of-calls=3",
            "resilience4j.circuitbreaker.configs.default.wait-duration-in-open-state=30s"
        })
class BrokerNackIntegrationTests {

    static final OutboxTable TABLE = OutboxTable.parse("orders.outbox_nacked");

    static final String QUEUE = "relay-test.nacked";

    static final String EVENT_TYPE = "test.nacked";

    @LocalServerPort
    int port;

    @BeforeAll
    static void aQueueThatTakesNothing() {
        EventsProbe.declareEventsTopology();
        EventsProbe.withChannel(channel -> {
            channel.queueDeclare(QUEUE, true, false, false, Map.of("x-max-length", 0, "x-overflow", "reject-publish"));
            channel.queueBind(QUEUE, Topology.EVENTS_EXCHANGE, EVENT_TYPE);
        });
    }

    @AfterAll
    static void deleteQueue() {
        EventsProbe.withChannel(channel -> channel.queueDelete(QUEUE));
    }

    @Test
    void nacksFromAReachableBrokerBackOffTheRowButNeverOpenTheBreaker() throws Exception {
        long id = OrdersSchema.insert(TABLE, UUID.randomUUID(), EVENT_TYPE, "aggregate-1", "{\"seq\":1}");

        await().atMost(Duration.ofSeconds(15))
                .until(() -> ((Number) OrdersSchema.row(TABLE, id).get("attempts")).intValue() >= 6);
        Map<String, Object> row = OrdersSchema.row(TABLE, id);
        assertThat(row.get("published_at")).isNull();
        assertThat((String) row.get("last_error")).isEqualTo("nack: RabbitMQ did not take it (nack): no reason given");
        HttpResponse<String> readiness = get("/actuator/health/readiness");
        JsonNode breaker = Json.mapper()
                .readTree(readiness.body())
                .at("/components/circuitBreakers/details/relay-orders.outbox_nacked");
        assertThat(breaker.at("/details/state").asString())
                .as("six failed attempts, three needed to open it: nacks do not count")
                .isEqualTo("CLOSED");
        assertThat(readiness.statusCode()).isEqualTo(200);

        EventsProbe.withChannel(channel -> {
            channel.queueDelete(QUEUE);
            channel.queueDeclare(QUEUE, true, false, false, null);
            channel.queueBind(QUEUE, Topology.EVENTS_EXCHANGE, EVENT_TYPE);
        });
        await().atMost(Duration.ofSeconds(10)).until(() -> OrdersSchema.published(TABLE, id));
    }

    private HttpResponse<String> get(String path) throws Exception {
        return RelayActuator.get(port, path);
    }
}
