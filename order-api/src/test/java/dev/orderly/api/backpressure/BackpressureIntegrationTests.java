package dev.orderly.api.backpressure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.orderly.api.Api;
import dev.orderly.testsupport.RealInfrastructure;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * While the outbox is not being drained (too many unpublished rows, or the oldest too old), POST /orders answers 503
 * with Retry-After and stores nothing; once it drains, orders are accepted again.
 */
@SpringBootTest(
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {
            "orderly.api.backpressure.max-backlog=5",
            "orderly.api.backpressure.max-oldest-age=30s",
            "orderly.api.backpressure.sample-interval=100ms",
            "orderly.api.backpressure.retry-after=7s"
        })
@RealInfrastructure
class BackpressureIntegrationTests {

    @LocalServerPort
    int port;

    @Autowired
    JdbcClient jdbc;

    @Autowired
    OutboxBacklog backlog;

    Api api;

    /** This test's SKU: orders price their lines from the catalogue. */
    String sku;

    @BeforeEach
    void drainOutbox() {
        api = new Api(port);
        sku = api.newSku(100);
        // No relay runs in these tests: stand in for it by marking everything earlier tests left as published, and
        // take a fresh sample so no earlier test's backlog is still in force.
        markAllPublished();
        backlog.sample();
    }

    @AfterEach
    void cleanUp() {
        markAllPublished();
    }

    @Test
    void tooManyUnpublishedEventsRefuseNewOrdersUntilDrained() {
        for (int i = 0; i < 6; i++) {
            insertUnpublished(Duration.ZERO);
        }
        String customer = "customer-" + UUID.randomUUID();

        HttpResponse<String> refused = await().atMost(Duration.ofSeconds(10))
                .until(() -> api.as(customer).postOrder(Api.order(customer, sku, 1)), r -> r.statusCode() != 202);

        assertThat(refused.statusCode()).isEqualTo(503);
        assertThat(refused.headers().firstValue("Retry-After")).hasValue("7");
        assertThat(refused.headers().firstValue("Content-Type"))
                .hasValueSatisfying(type -> assertThat(type).startsWith("application/problem+json"));
        assertThat(Api.json(refused).get("type").asString()).isEqualTo("urn:orderly:problem:backpressure");
        assertThat(ordersOf(customer)).isZero();

        markAllPublished();

        await().atMost(Duration.ofSeconds(10))
                .until(() ->
                        api.as(customer).postOrder(Api.order(customer, sku, 1)).statusCode() == 202);
        assertThat(ordersOf(customer)).isEqualTo(1);
    }

    @Test
    void anOldUnpublishedEventRefusesNewOrders() {
        insertUnpublished(Duration.ofMinutes(2));
        String customer = "customer-" + UUID.randomUUID();

        HttpResponse<String> refused = await().atMost(Duration.ofSeconds(10))
                .until(() -> api.as(customer).postOrder(Api.order(customer, sku, 1)), r -> r.statusCode() != 202);

        assertThat(refused.statusCode()).isEqualTo(503);
        assertThat(Api.json(refused).get("detail").asString()).contains("oldest event");
        assertThat(ordersOf(customer)).isZero();
    }

    @Test
    void aRetryOfAnAcceptedOrderIsAnsweredEvenUnderBackpressure() {
        String key = "key-" + UUID.randomUUID();
        String body = Api.order(sku, 1);
        HttpResponse<String> first = api.postOrder(body, "Idempotency-Key", key);
        assertThat(first.statusCode()).isEqualTo(202);
        for (int i = 0; i < 6; i++) {
            insertUnpublished(Duration.ZERO);
        }
        await().atMost(Duration.ofSeconds(10))
                .until(() -> api.postOrder(Api.order(sku, 2)).statusCode() == 503);

        HttpResponse<String> retry = api.postOrder(body, "Idempotency-Key", key);

        assertThat(retry.statusCode()).isEqualTo(202);
        assertThat(Api.json(retry)).isEqualTo(Api.json(first));
    }

    private void insertUnpublished(Duration age) {
        jdbc.sql("""
                        INSERT INTO outbox (event_id, event_type, routing_key, aggregate_id, payload, created_at)
                        VALUES (?, 'test.backlog', 'test.backlog', 'backpressure-test', '{}', now() - ?::interval)
                        """)
                .param(UUID.randomUUID())
                .param(age.toSeconds() + " seconds")
                .update();
    }

    private void markAllPublished() {
        jdbc.sql("UPDATE outbox SET published_at = now() WHERE published_at IS NULL")
                .update();
    }

    private long ordersOf(String customer) {
        return jdbc.sql("SELECT count(*) FROM orders WHERE customer_id = ?")
                .param(customer)
                .query(Long.class)
                .single();
    }
}
