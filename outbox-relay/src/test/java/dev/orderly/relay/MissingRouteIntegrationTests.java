package dev.orderly.relay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.orderly.contracts.EventTypes;
import dev.orderly.contracts.Topology;
import dev.orderly.messaging.outbox.OutboxTable;
import dev.orderly.testsupport.OrderlyInfrastructure;
import dev.orderly.testsupport.RabbitBroker;
import dev.orderly.testsupport.TestTokens;
import io.micrometer.core.instrument.MeterRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.context.TestPropertySource;

/**
 * An event two domains consume, while one of their work queues is not bound for it: the relay does not publish it (a
 * topic exchange would confirm it for the queue that exists and lose it for the other), says so in readiness, and
 * publishes it to both as soon as the binding is there.
 */
@RelayIntegrationTest
@TestPropertySource(
        properties = {
            "orderly.relay.tables=orders.outbox_routes",
            "orderly.relay.routes.verify=true",
            "orderly.relay.routes.check-interval=300ms",
            "orderly.relay.failures.backoff-initial=100ms",
            "orderly.relay.failures.backoff-max=30s"
        })
class MissingRouteIntegrationTests {

    static final OutboxTable TABLE = OutboxTable.parse("orders.outbox_routes");

    static final String ORDER_WORK = Topology.workQueue(Topology.ORDER);

    static final String SHIPPING_WORK = Topology.workQueue(Topology.SHIPPING);

    @Autowired
    MeterRegistry meters;

    @LocalServerPort
    int port;

    @DynamicPropertySource
    static void managementApi(DynamicPropertyRegistry registry) {
        RabbitBroker rabbit = OrderlyInfrastructure.rabbit();
        registry.add(
                "orderly.relay.routes.management-url", () -> "http://" + rabbit.host() + ":" + rabbit.managementPort());
    }

    @BeforeAll
    static void orderWorkBoundShippingWorkNot() {
        EventsProbe.declareEventsTopology();
        EventsProbe.withChannel(channel -> {
            channel.queueDeclare(ORDER_WORK, true, false, false, null);
            channel.queueDeclare(SHIPPING_WORK, true, false, false, null);
            channel.queueBind(ORDER_WORK, Topology.EVENTS_EXCHANGE, EventTypes.PAYMENT_AUTHORIZED);
        });
    }

    @AfterAll
    static void deleteQueues() {
        EventsProbe.withChannel(channel -> {
            channel.queueDelete(ORDER_WORK);
            channel.queueDelete(SHIPPING_WORK);
        });
    }

    @Test
    void anEventIsHeldWhileOneOfItsWorkQueuesIsUnboundAndReachesBothOnceItIsBound() throws Exception {
        UUID eventId = UUID.randomUUID();
        long id = OrdersSchema.insert(TABLE, eventId, EventTypes.PAYMENT_AUTHORIZED, "order-1", "{}");

        await().atMost(Duration.ofSeconds(10))
                .until(() -> meters.get("orderly.outbox.publish.failures")
                                .tag("source", TABLE.qualifiedName())
                                .tag("reason", "missing_route")
                                .counter()
                                .count()
                        > 0);
        assertThat(readiness()).contains("\"routes\"").contains(SHIPPING_WORK);
        assertThat(meters.get("orderly.outbox.routes.missing").gauge().value()).isPositive();
        await().during(Duration.ofSeconds(2))
                .atMost(Duration.ofSeconds(3))
                .until(() -> !OrdersSchema.published(TABLE, id));
        assertThat(EventsProbe.drain(ORDER_WORK))
                .as("not even the queue that exists got it")
                .isEmpty();

        EventsProbe.withChannel(
                channel -> channel.queueBind(SHIPPING_WORK, Topology.EVENTS_EXCHANGE, EventTypes.PAYMENT_AUTHORIZED));

        // Published within a few check intervals, not after the drainer's 30 s backoff: the check resumes it.
        await().atMost(Duration.ofSeconds(5)).until(() -> OrdersSchema.published(TABLE, id));
        assertThat(EventsProbe.drain(ORDER_WORK))
                .extracting(EventsProbe.Received::messageId)
                .containsExactly(eventId.toString());
        assertThat(EventsProbe.drain(SHIPPING_WORK))
                .extracting(EventsProbe.Received::messageId)
                .containsExactly(eventId.toString());
    }

    private String readiness() throws Exception {
        HttpResponse<String> response = HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/actuator/health/readiness"))
                                // Health details are shown only to a token with actuator:read.
                                .header("Authorization", "Bearer " + TestTokens.forClient("operator", "actuator:read"))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(503);
        return response.body();
    }
}
