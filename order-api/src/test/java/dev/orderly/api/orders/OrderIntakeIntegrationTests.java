package dev.orderly.api.orders;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.orderly.api.Api;
import dev.orderly.contracts.Envelope;
import dev.orderly.contracts.EventCodec;
import dev.orderly.contracts.EventTypes;
import dev.orderly.contracts.OrderCreated;
import dev.orderly.contracts.OrderLine;
import dev.orderly.testsupport.OrderlyInfrastructure;
import dev.orderly.testsupport.RealInfrastructure;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalManagementPort;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;

/** POST /orders stores the order and its order.created outbox row together; GET reads it back. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@RealInfrastructure
class OrderIntakeIntegrationTests {

    @LocalServerPort
    int port;

    @LocalManagementPort
    int managementPort;

    @Autowired
    JdbcClient jdbc;

    Api api;

    /** This test's SKU, at 10.00 EUR. */
    String sku;

    @BeforeEach
    void setUp() {
        api = new Api(port);
        sku = api.newSku(1000);
    }

    @Test
    void acceptedOrderIsStoredWithItsOrderCreatedOutboxRow() {
        String customer = "customer-" + UUID.randomUUID();
        String first = api.newSku(1250);
        String second = api.newSku(99);
        HttpResponse<String> response = api.as(customer).postOrder("""
                {"customer_id": "%s", "currency": "EUR", "lines": [
                  {"sku": "%s", "quantity": 2},
                  {"sku": "%s", "quantity": 1}]}
                """.formatted(customer, first, second));

        assertThat(response.statusCode()).isEqualTo(202);
        JsonNode body = Api.json(response);
        UUID orderId = UUID.fromString(body.get("order_id").asString());
        assertThat(response.headers().firstValue("Location")).hasValue("/orders/" + orderId);
        assertThat(body.get("status").asString()).isEqualTo("PENDING");
        assertThat(body.get("customer_id").asString()).isEqualTo(customer);
        assertThat(body.get("currency").asString()).isEqualTo("EUR");
        assertThat(body.get("total_cents").asLong()).isEqualTo(2599);
        assertThat(body.get("created_at").asString()).endsWith("Z");

        assertThat(jdbc.sql("SELECT status FROM orders WHERE id = ?")
                        .param(orderId)
                        .query(String.class)
                        .single())
                .isEqualTo("PENDING");
        assertThat(jdbc.sql("SELECT count(*) FROM order_lines WHERE order_id = ?")
                        .param(orderId)
                        .query(Long.class)
                        .single())
                .isEqualTo(2);

        Map<String, Object> row =
                jdbc.sql("""
                        SELECT event_id, event_type, routing_key, aggregate_id, payload::text AS payload,
                               headers->>'event_version' AS event_version, published_at
                        FROM outbox WHERE aggregate_id = ?
                        """).param(orderId.toString()).query().singleRow();
        assertThat(row.get("event_type")).isEqualTo(EventTypes.ORDER_CREATED);
        assertThat(row.get("routing_key")).isEqualTo(EventTypes.ORDER_CREATED);
        assertThat(row.get("event_version")).isEqualTo("1");
        assertThat(row.get("published_at")).isNull();

        // The stored envelope is exactly what consumers will parse: valid against its schema, and complete.
        Envelope<?> envelope = new EventCodec().fromJson((String) row.get("payload"));
        assertThat(envelope.eventId()).isEqualTo(row.get("event_id"));
        assertThat(envelope.producer()).isEqualTo("order-api");
        assertThat(envelope.correlationId()).isEqualTo(orderId.toString());
        assertThat(envelope.data())
                .isEqualTo(new OrderCreated(
                        orderId,
                        customer,
                        "EUR",
                        2599,
                        List.of(new OrderLine(first, 2, 1250), new OrderLine(second, 1, 99))));
    }

    @Test
    void getReturnsStatusLinesTotalsAndTimeline() {
        UUID orderId = placeOrder("customer-" + UUID.randomUUID());

        HttpResponse<String> response = api.get("/orders/" + orderId);

        assertThat(response.statusCode()).isEqualTo(200);
        JsonNode body = Api.json(response);
        assertThat(body.get("order_id").asString()).isEqualTo(orderId.toString());
        assertThat(body.get("status").asString()).isEqualTo("PENDING");
        assertThat(body.get("total_cents").asLong()).isEqualTo(3000);
        JsonNode line = body.get("lines").get(0);
        assertThat(line.get("sku").asString()).isEqualTo(sku);
        assertThat(line.get("quantity").asInt()).isEqualTo(3);
        assertThat(line.get("unit_price_cents").asLong()).isEqualTo(1000);
        assertThat(line.get("line_total_cents").asLong()).isEqualTo(3000);
        JsonNode timeline = body.get("timeline");
        assertThat(timeline).hasSize(1);
        assertThat(timeline.get(0).get("event_type").asString()).isEqualTo("order.created");
        assertThat(timeline.get(0).get("status").asString()).isEqualTo("PENDING");
        assertThat(timeline.get(0).get("occurred_at").asString())
                .isEqualTo(body.get("created_at").asString());
        assertThat(timeline.get(0).get("retries").asInt()).as("taken at once").isZero();
        assertThat(timeline.get(0).get("replayed").asBoolean()).isFalse();
    }

    @Test
    void unknownOrderIsNotFoundProblem() {
        HttpResponse<String> response = api.get("/orders/" + UUID.randomUUID());

        assertThat(response.statusCode()).isEqualTo(404);
        assertThat(response.headers().firstValue("Content-Type"))
                .hasValueSatisfying(type -> assertThat(type).startsWith("application/problem+json"));
        assertThat(Api.json(response).get("type").asString()).isEqualTo("urn:orderly:problem:order-not-found");
    }

    @Test
    void malformedOrderIdIsBadRequestProblemNamingIt() {
        HttpResponse<String> response = api.get("/orders/not-a-uuid");

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(response.headers().firstValue("Content-Type"))
                .hasValueSatisfying(type -> assertThat(type).startsWith("application/problem+json"));
        assertThat(Api.json(response).get("errors").get(0).get("field").asString())
                .isEqualTo("order_id");
    }

    @Test
    void requestTraceIsStoredWithTheOutboxRow() {
        String traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
        HttpResponse<String> response = api.postOrder(
                Api.order(sku, 1),
                "traceparent",
                "00-" + traceId + "-00f067aa0ba902b7-01",
                "Accept",
                "application/json");
        assertThat(response.statusCode()).isEqualTo(202);
        String orderId = Api.json(response).get("order_id").asString();

        String stored = jdbc.sql("SELECT headers->>'traceparent' FROM outbox WHERE aggregate_id = ?")
                .param(orderId)
                .query(String.class)
                .single();

        // The server span continues the caller's trace: same trace id, its own span id.
        assertThat(stored).matches("00-" + traceId + "-[0-9a-f]{16}-0[01]");
    }

    @Test
    void failingOutboxInsertLeavesNoOrder() throws Exception {
        String customer = "atomicity-" + UUID.randomUUID();
        try (Connection admin = OrderlyInfrastructure.postgres().connectAsSuperuser();
                Statement sql = admin.createStatement()) {
            sql.execute("""
                    CREATE FUNCTION orders.refuse_outbox_row() RETURNS trigger LANGUAGE plpgsql AS $$
                    BEGIN
                        IF NEW.payload->'data'->>'customer_id' = '%s' THEN
                            RAISE EXCEPTION 'outbox insert refused by test';
                        END IF;
                        RETURN NEW;
                    END $$;
                    CREATE TRIGGER refuse_outbox_row BEFORE INSERT ON orders.outbox
                        FOR EACH ROW EXECUTE FUNCTION orders.refuse_outbox_row();
                    """.formatted(customer));
            try {
                HttpResponse<String> response = api.as(customer).postOrder(Api.order(customer, sku, 1));

                assertThat(response.statusCode()).isEqualTo(503);
                assertThat(response.headers().firstValue("Retry-After")).isPresent();
                assertThat(Api.json(response).get("type").asString())
                        .isEqualTo("urn:orderly:problem:storage-unavailable");
            } finally {
                sql.execute("""
                        DROP TRIGGER refuse_outbox_row ON orders.outbox;
                        DROP FUNCTION orders.refuse_outbox_row();
                        """);
            }
        }
        assertThat(jdbc.sql("SELECT count(*) FROM orders WHERE customer_id = ?")
                        .param(customer)
                        .query(Long.class)
                        .single())
                .isZero();
        assertThat(jdbc.sql(
                                "SELECT count(*) FROM order_lines l JOIN orders o ON o.id = l.order_id WHERE o.customer_id = ?")
                        .param(customer)
                        .query(Long.class)
                        .single())
                .isZero();
    }

    @Test
    void anOrderWhoseCommitLosesTheConnectionIsAnsweredAsMaybeStoredAndARetryWithItsKeyStoresItOnce() throws Exception {
        String customer = "lost-commit-" + UUID.randomUUID();
        String key = "lost-commit-" + UUID.randomUUID();
        String order = Api.order(customer, sku, 1);
        try (Connection admin = OrderlyInfrastructure.postgres().connectAsSuperuser();
                Statement sql = admin.createStatement()) {
            // At COMMIT (a deferred constraint trigger), the order's own session is terminated: to the API, the
            // connection breaks while committing, and it cannot know whether the order was stored.
            sql.execute("""
                    CREATE FUNCTION orders.break_commit() RETURNS trigger LANGUAGE plpgsql AS $$
                    BEGIN
                        PERFORM pg_terminate_backend(pg_backend_pid());
                        RETURN NULL;
                    END $$;
                    CREATE CONSTRAINT TRIGGER break_commit AFTER INSERT ON orders.orders
                        DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
                        WHEN (NEW.customer_id = '%s') EXECUTE FUNCTION orders.break_commit();
                    """.formatted(customer));
            HttpResponse<String> response;
            try {
                response =
                        api.as(customer).postOrder(order, "Content-Type", "application/json", "Idempotency-Key", key);
            } finally {
                sql.execute("""
                        DROP TRIGGER break_commit ON orders.orders;
                        DROP FUNCTION orders.break_commit();
                        """);
            }

            assertThat(response.statusCode()).isEqualTo(503);
            assertThat(response.headers().firstValue("Retry-After")).isPresent();
            JsonNode problem = Api.json(response);
            assertThat(problem.get("type").asString()).isEqualTo("urn:orderly:problem:storage-outcome-unknown");
            assertThat(problem.get("detail").asString())
                    .contains("may or may not have been stored")
                    .contains("same Idempotency-Key")
                    .doesNotContain("nothing was kept");
            assertThat(problem.get("order_id").asString()).isNotBlank();
        }

        HttpResponse<String> retry =
                api.as(customer).postOrder(order, "Content-Type", "application/json", "Idempotency-Key", key);

        assertThat(retry.statusCode()).isEqualTo(202);
        assertThat(jdbc.sql("SELECT count(*) FROM orders WHERE customer_id = ?")
                        .param(customer)
                        .query(Long.class)
                        .single())
                .isOne();
    }

    @Test
    void committedOrderWakesTheRelayWithANotification() throws Exception {
        try (Connection relay = OrderlyInfrastructure.postgres().connect("orderly_relay");
                Statement sql = relay.createStatement()) {
            sql.execute("LISTEN orderly_outbox");

            placeOrder("customer-" + UUID.randomUUID());

            PGConnection listener = relay.unwrap(PGConnection.class);
            List<String> payloads = new ArrayList<>();
            await().atMost(Duration.ofSeconds(10)).until(() -> {
                PGNotification[] notifications = listener.getNotifications(200);
                if (notifications != null) {
                    for (PGNotification notification : notifications) {
                        payloads.add(notification.getParameter());
                    }
                }
                return !payloads.isEmpty();
            });
            assertThat(payloads).containsOnly("orders.outbox");
        }
    }

    @Test
    void serviceConnectsAsItsOwnLeastPrivilegeRole() {
        assertThat(jdbc.sql("SELECT current_user").query(String.class).single()).isEqualTo("orderly_api");
        assertThat(jdbc.sql("SELECT has_schema_privilege('payments', 'USAGE')")
                        .query(Boolean.class)
                        .single())
                .isFalse();
    }

    @Test
    void probesMetricsAndOpenApiAreServed() {
        Api management = new Api(managementPort);
        assertThat(management.get("/actuator/health/liveness").statusCode()).isEqualTo(200);
        assertThat(management.get("/actuator/health/readiness").statusCode()).isEqualTo(200);
        placeOrder("customer-" + UUID.randomUUID());
        HttpResponse<String> metrics = management.get("/actuator/prometheus");
        assertThat(metrics.statusCode()).isEqualTo(200);
        assertThat(metrics.body())
                .contains("orderly_orders_accepted_total")
                .contains("http_server_requests_seconds")
                .contains("orderly_api_outbox_backlog");
        HttpResponse<String> openApi = api.get("/v3/api-docs");
        assertThat(openApi.statusCode()).isEqualTo(200);
        assertThat(Api.json(openApi).get("paths").has("/orders")).isTrue();
        JsonNode line = Api.json(openApi).get("components").get("schemas").get("Line");
        assertThat(line.get("required").valueStream().map(JsonNode::asString))
                .as("a line's price is the server's; the client may leave it out")
                .containsExactlyInAnyOrder("sku", "quantity");
        JsonNode request = Api.json(openApi).get("components").get("schemas").get("PlaceOrderRequest");
        assertThat(request.get("required").valueStream().map(JsonNode::asString))
                .as("the customer is the token's; the client may leave it out")
                .containsExactlyInAnyOrder("currency", "lines");
        assertThat(Api.json(openApi)
                        .at("/components/securitySchemes/bearer-jwt/scheme")
                        .asString())
                .isEqualTo("bearer");
        assertThat(Api.json(openApi).at("/security/0").has("bearer-jwt")).isTrue();
        JsonNode placeResponses = Api.json(openApi).at("/paths/~1orders/post/responses");
        assertThat(placeResponses.has("429"))
                .as("POST /orders' responses: %s", placeResponses)
                .isTrue();
        assertThat(placeResponses.at("/429/headers").has("Retry-After")).isTrue();
        assertThat(placeResponses.at("/429/content").has("application/problem+json"))
                .isTrue();
        assertThat(placeResponses
                        .at("/202/content/application~1json/schema/$ref")
                        .asString())
                .as("the order's answer is still described: %s", placeResponses)
                .endsWith("/OrderAccepted");
        assertThat(Api.json(openApi).at("/paths/~1orders/post/parameters").toString())
                .as("the caller is no parameter")
                .doesNotContain("authentication");
    }

    private UUID placeOrder(String customer) {
        HttpResponse<String> response = api.as(customer).postOrder(Api.order(customer, sku, 3));
        assertThat(response.statusCode()).isEqualTo(202);
        return UUID.fromString(Api.json(response).get("order_id").asString());
    }
}
