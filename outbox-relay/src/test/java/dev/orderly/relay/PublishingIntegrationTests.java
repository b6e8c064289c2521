package dev.orderly.relay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.orderly.contracts.Envelope;
import dev.orderly.contracts.EventCodec;
import dev.orderly.contracts.EventTypes;
import dev.orderly.contracts.MessageHeaders;
import dev.orderly.contracts.MessageSignature;
import dev.orderly.contracts.OrderCreated;
import dev.orderly.contracts.OrderLine;
import dev.orderly.contracts.Topology;
import dev.orderly.messaging.outbox.OutboxNotifier;
import dev.orderly.messaging.outbox.OutboxTable;
import dev.orderly.messaging.outbox.OutboxWriter;
import dev.orderly.messaging.signing.MessageKeys;
import dev.orderly.messaging.signing.MessageSigner;
import dev.orderly.relay.EventsProbe.Received;
import dev.orderly.testsupport.TestMessageKeys;
import dev.orderly.testsupport.TestTokens;
import io.micrometer.core.instrument.MeterRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The happy path on the real {@code orders.outbox}, written exactly as order-api writes it: each row reaches {@code
 * orders.events} with the properties of the envelope (docs/design.md#the-envelope), byte for byte, and is marked
 * published; an event nobody is bound for is kept in {@code orders.unrouted}.
 */
@RelayIntegrationTest
class PublishingIntegrationTests {

    static final OutboxTable ORDERS_OUTBOX = OutboxTable.parse("orders.outbox");
    static final MessageSigner SIGNER =
            new MessageSigner(MessageKeys.of(Map.of(TestMessageKeys.KEY_ID, TestMessageKeys.key()), null));

    static OutboxNotifier notifier;

    @Autowired
    MeterRegistry meters;

    @LocalServerPort
    int port;

    @BeforeAll
    static void producer() {
        OrdersSchema.migrate();
        notifier = new OutboxNotifier(new JdbcTemplate(OrdersSchema.apiDataSource()));
    }

    @AfterAll
    static void closeProducer() throws InterruptedException {
        notifier.close();
    }

    @Test
    void rowWrittenByTheOutboxWriterArrivesWithTheDesignedPropertiesAndIsMarkedPublished() {
        try (EventsProbe consumer = EventsProbe.onEvents(EventTypes.ORDER_CREATED)) {
            String traceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
            Envelope<OrderCreated> envelope = orderCreated();
            String stored = write(envelope, traceparent);

            Received message = await().atMost(Duration.ofSeconds(10))
                    .until(() -> find(consumer, envelope.eventId()), m -> m != null);

            assertThat(message.routingKey()).isEqualTo(EventTypes.ORDER_CREATED);
            assertThat(message.bodyText()).isEqualTo(stored);
            assertThat(message.properties().getMessageId())
                    .isEqualTo(envelope.eventId().toString());
            assertThat(message.properties().getType()).isEqualTo(EventTypes.ORDER_CREATED);
            assertThat(message.properties().getContentType()).isEqualTo(MessageHeaders.CONTENT_TYPE_JSON);
            assertThat(message.properties().getDeliveryMode()).isEqualTo(2);
            Map<String, Object> row = rowOf(envelope.eventId());
            Instant createdAt = ((Timestamp) row.get("created_at")).toInstant();
            assertThat(message.properties().getTimestamp().toInstant().getEpochSecond())
                    .isEqualTo(createdAt.getEpochSecond());
            assertThat(EventsProbe.headers(message))
                    .containsEntry(MessageHeaders.EVENT_VERSION, 1)
                    .hasEntrySatisfying(
                            MessageHeaders.TRACEPARENT,
                            value -> assertThat(value.toString()).isEqualTo(traceparent));
            // The producer's signature arrives untouched, and still verifies over the body the relay published.
            Map<String, Object> headers = EventsProbe.headers(message);
            assertThat(headers.get(MessageHeaders.PRODUCER).toString()).isEqualTo("order-api");
            assertThat(headers.get(MessageHeaders.KEY_ID).toString()).isEqualTo(TestMessageKeys.KEY_ID);
            assertThat(MessageSignature.verify(
                            Base64.getDecoder().decode(TestMessageKeys.key()),
                            MessageSignature.Fields.of(envelope),
                            message.bodyText().getBytes(StandardCharsets.UTF_8),
                            headers.get(MessageHeaders.SIGNATURE).toString()))
                    .isTrue();
            await().atMost(Duration.ofSeconds(5))
                    .until(() -> rowOf(envelope.eventId()).get("published_at") != null);
            assertThat(rowOf(envelope.eventId())).containsEntry("attempts", 0);
        }
    }

    @Test
    void eachAggregatesEventsArriveInTheOrderTheyWereWritten() {
        try (EventsProbe consumer = EventsProbe.onEvents("test.ordering")) {
            List<String> expected = new ArrayList<>();
            for (int i = 0; i < 300; i++) {
                UUID eventId = UUID.randomUUID();
                OrdersSchema.insert(
                        ORDERS_OUTBOX, eventId, "test.ordering", "aggregate-" + (i % 3), "{\"seq\":" + i + "}");
                expected.add(eventId.toString());
            }

            await().atMost(Duration.ofSeconds(20))
                    .until(() -> consumer.received().size() >= expected.size());

            assertThat(consumer.messageIds()).containsExactlyElementsOf(expected);
        }
    }

    @Test
    void anEventNoQueueIsBoundForIsKeptInOrdersUnroutedAndCountedAsPublished() {
        EventsProbe.declareEventsTopology();
        String eventType = "test.nobody-listens";
        double publishedBefore = publishedCount(eventType);
        UUID eventId = UUID.randomUUID();
        long id = OrdersSchema.insert(ORDERS_OUTBOX, eventId, eventType, "aggregate-unrouted", "{\"lonely\":true}");

        await().atMost(Duration.ofSeconds(10)).until(() -> OrdersSchema.published(ORDERS_OUTBOX, id));

        List<Received> unrouted = EventsProbe.drain(Topology.UNROUTED_QUEUE);
        assertThat(unrouted).extracting(Received::messageId).contains(eventId.toString());
        assertThat(publishedCount(eventType)).isEqualTo(publishedBefore + 1);
        assertThat(OrdersSchema.row(ORDERS_OUTBOX, id)).containsEntry("attempts", 0);
    }

    @Test
    void readinessIsUpAndNamesThisInstanceAsTheActiveRelay() throws Exception {
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            HttpResponse<String> readiness = get("/actuator/health/readiness");
            assertThat(readiness.statusCode()).isEqualTo(200);
            assertThat(readiness.body())
                    .contains("\"outboxRelay\"")
                    .contains("\"instance\":\"test-relay\"")
                    .contains("\"orders.outbox\":{\"role\":\"active\"");
        });
        HttpResponse<String> liveness = get("/actuator/health/liveness");
        assertThat(liveness.statusCode()).isEqualTo(200);
    }

    @Test
    void prometheusExposesTheOutboxMetricsOfDesignSection8() throws Exception {
        OrdersSchema.insert(ORDERS_OUTBOX, UUID.randomUUID(), "test.metrics", "aggregate-metrics", "{}");

        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            String scrape = get("/actuator/prometheus").body();
            assertThat(scrape)
                    .contains("orderly_outbox_backlog{application=\"outbox-relay\",source=\"orders.outbox\"}")
                    .contains(
                            "orderly_outbox_oldest_age_seconds{application=\"outbox-relay\",source=\"orders.outbox\"}")
                    .contains("orderly_outbox_published_total{application=\"outbox-relay\",event_type=\"test.metrics\","
                            + "source=\"orders.outbox\"}")
                    .contains("orderly_outbox_confirm_seconds_bucket{application=\"outbox-relay\"")
                    .contains("orderly_outbox_publish_failures_total{application=\"outbox-relay\",reason=\"returned\","
                            + "source=\"orders.outbox\"} 0.0")
                    .contains("orderly_outbox_blocked{application=\"outbox-relay\"} 0.0")
                    .contains(
                            "orderly_outbox_failing{application=\"outbox-relay\",partition=\"0\",source=\"orders.outbox\"} 0.0")
                    .contains(
                            "orderly_outbox_lease{application=\"outbox-relay\",partition=\"0\",source=\"orders.outbox\"} 1.0");
        });
    }

    private double publishedCount(String eventType) {
        var counter = meters.find("orderly.outbox.published")
                .tag("source", "orders.outbox")
                .tag("event_type", eventType)
                .counter();
        return counter == null ? 0 : counter.count();
    }

    private static Envelope<OrderCreated> orderCreated() {
        UUID orderId = UUID.randomUUID();
        return Envelope.of(
                new OrderCreated(orderId, "customer-relay", "EUR", 2500, List.of(new OrderLine("SKU-1", 2, 1250))),
                "order-api",
                orderId.toString(),
                Clock.systemUTC());
    }

    /** Writes the envelope through order-api's own outbox writer and notifier, in a transaction; returns the body. */
    private static String write(Envelope<OrderCreated> envelope, String traceparent) {
        DataSource api = OrdersSchema.apiDataSource();
        EventCodec codec = new EventCodec();
        OutboxWriter writer = new OutboxWriter(JdbcClient.create(api), codec, ORDERS_OUTBOX, SIGNER, notifier);
        new TransactionTemplate(new DataSourceTransactionManager(api))
                .executeWithoutResult(tx -> writer.append(envelope, envelope.correlationId(), traceparent));
        return new String(codec.toJson(envelope), StandardCharsets.UTF_8);
    }

    private static Map<String, Object> rowOf(UUID eventId) {
        return OrdersSchema.api()
                .sql("SELECT * FROM orders.outbox WHERE event_id = ?")
                .param(eventId)
                .query()
                .singleRow();
    }

    private static Received find(EventsProbe consumer, UUID eventId) {
        return consumer.received().stream()
                .filter(m -> eventId.toString().equals(m.messageId()))
                .findFirst()
                .orElse(null);
    }

    @Test
    void withoutATokenTheProbesAnswerWithTheirStatusAloneAndTheMetricsNotAtAll() throws Exception {
        await().atMost(Duration.ofSeconds(10))
                .until(() -> get("/actuator/health/readiness", null).statusCode() == 200);
        assertThat(get("/actuator/health/readiness", null).body()).isEqualTo("{\"status\":\"UP\"}");
        assertThat(get("/actuator/health/liveness", null).statusCode()).isEqualTo(200);
        assertThat(get("/actuator/health", null).statusCode()).isEqualTo(401);
        assertThat(get("/actuator/prometheus", null).statusCode()).isEqualTo(401);
        assertThat(get("/actuator/prometheus", TestTokens.forClient("operator", "actuator:read"))
                        .statusCode())
                .isEqualTo(403);
    }

    /** An operator's and a scraper's scopes in one token: the health details and the metrics. */
    private HttpResponse<String> get(String path) throws Exception {
        return get(path, TestTokens.forClient("operator", "actuator:read", "metrics:read"));
    }

    private HttpResponse<String> get(String path, String token) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        try (HttpClient client = HttpClient.newHttpClient()) {
            return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
        }
    }
}
