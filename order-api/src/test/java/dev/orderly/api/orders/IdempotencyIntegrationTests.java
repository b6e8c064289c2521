package dev.orderly.api.orders;

import static org.assertj.core.api.Assertions.assertThat;

import dev.orderly.api.Api;
import dev.orderly.testsupport.RealInfrastructure;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * An Idempotency-Key makes POST /orders safe to retry: one key, one order, one answer; and a key is its caller's, so
 * another caller's same key is a key of its own.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@RealInfrastructure
class IdempotencyIntegrationTests {

    @LocalServerPort
    int port;

    @Autowired
    JdbcClient jdbc;

    @Autowired
    IdempotencyKeyPurge purge;

    Api api;

    /** This test's SKU, at 5.00 EUR. */
    String sku;

    /** This test's customer, whom {@link #api} acts as. */
    String customer;

    @BeforeEach
    void setUp() {
        customer = "customer-" + UUID.randomUUID();
        api = new Api(port).as(customer);
        sku = api.newSku(500);
    }

    @Test
    void sameKeyAndBodyReturnsTheFirstAnswerAndCreatesNothing() {
        String key = "key-" + UUID.randomUUID();
        String body = Api.order(customer, sku, 2);

        HttpResponse<String> first = postWithKey(body, key);
        // Same order, other spacing: the key compares what the request means, not its bytes.
        HttpResponse<String> second = postWithKey(body.replace(",", ", "), key);

        assertThat(first.statusCode()).isEqualTo(202);
        assertThat(second.statusCode()).isEqualTo(202);
        assertThat(Api.json(second)).isEqualTo(Api.json(first));
        assertThat(second.headers().firstValue("Location"))
                .isEqualTo(first.headers().firstValue("Location"));
        assertThat(second.headers().firstValue("Idempotent-Replayed")).hasValue("true");
        assertThat(first.headers().firstValue("Idempotent-Replayed")).isEmpty();
        assertThat(ordersOf(customer)).isEqualTo(1);
        assertThat(outboxRowsOf(customer)).isEqualTo(1);
    }

    @Test
    void sameKeyWithDifferentBodyIsRefusedAndStoresNothing() {
        String key = "key-" + UUID.randomUUID();
        assertThat(postWithKey(Api.order(customer, sku, 2), key).statusCode()).isEqualTo(202);

        HttpResponse<String> reused = postWithKey(Api.order(customer, sku, 3), key);

        assertThat(reused.statusCode()).isEqualTo(422);
        assertThat(reused.headers().firstValue("Content-Type"))
                .hasValueSatisfying(type -> assertThat(type).startsWith("application/problem+json"));
        assertThat(Api.json(reused).get("type").asString()).isEqualTo("urn:orderly:problem:idempotency-key-reused");
        assertThat(ordersOf(customer)).isEqualTo(1);
        assertThat(outboxRowsOf(customer)).isEqualTo(1);
    }

    @Test
    void aRetryAfterAPriceChangeGetsTheFirstAnswerAtTheFirstPriceWhetherOrNotItSentThatPrice() {
        String withoutPrice = Api.order(customer, sku, 2);
        String withPrice = Api.order(customer, sku, 1, 500);
        HttpResponse<String> first = postWithKey(withoutPrice, "key-" + customer);
        HttpResponse<String> firstPriced = postWithKey(withPrice, "key-priced-" + customer);
        assertThat(first.statusCode()).isEqualTo(202);
        assertThat(firstPriced.statusCode()).isEqualTo(202);

        api.setPrice(sku, 650, "EUR");
        HttpResponse<String> retry = postWithKey(withoutPrice, "key-" + customer);
        // The price it states is stale now, but it is the price its order was accepted at: a replay, not a 409.
        HttpResponse<String> retryPriced = postWithKey(withPrice, "key-priced-" + customer);

        assertThat(retry.statusCode()).isEqualTo(202);
        assertThat(Api.json(retry)).isEqualTo(Api.json(first));
        assertThat(Api.json(retry).get("total_cents").asLong()).isEqualTo(1000);
        assertThat(retryPriced.statusCode()).as(retryPriced.body()).isEqualTo(202);
        assertThat(Api.json(retryPriced)).isEqualTo(Api.json(firstPriced));
        assertThat(retryPriced.headers().firstValue("Idempotent-Replayed")).hasValue("true");
        assertThat(ordersOf(customer)).isEqualTo(2);
    }

    @Test
    void theKeyRemembersTheBodyAsSentSoAPriceLeftOutAndAPriceSentAreDifferentRequests() {
        String key = "key-" + UUID.randomUUID();
        assertThat(postWithKey(Api.order(customer, sku, 2), key).statusCode()).isEqualTo(202);
        String explicitNull = """
                {"customer_id": "%s", "currency": "EUR", "lines": [{"sku": "%s", "quantity": 2, "unit_price_cents": null}]}
                """.formatted(customer, sku);

        HttpResponse<String> sameRequest = postWithKey(explicitNull, key);
        HttpResponse<String> otherRequest = postWithKey(Api.order(customer, sku, 2, 500), key);

        assertThat(sameRequest.statusCode()).as("null is leaving it out").isEqualTo(202);
        assertThat(sameRequest.headers().firstValue("Idempotent-Replayed")).hasValue("true");
        assertThat(otherRequest.statusCode())
                .as("the current price sent where the first request left it out")
                .isEqualTo(422);
        assertThat(Api.json(otherRequest).get("type").asString())
                .isEqualTo("urn:orderly:problem:idempotency-key-reused");
        assertThat(ordersOf(customer)).isEqualTo(1);
    }

    @Test
    void aKeyAnotherCustomerUsedIsAFreshKeyThatNeverAnswersWithTheirOrder() {
        String key = "key-" + UUID.randomUUID();
        String other = "other-" + UUID.randomUUID();
        Api otherCustomer = api.as(other);
        HttpResponse<String> first = postWithKey(Api.order(customer, sku, 2), key);
        String firstId = Api.json(first).get("order_id").asString();

        // Another body: for the first caller, a 422 naming its order.
        HttpResponse<String> otherBody =
                otherCustomer.postOrder(Api.order(other, sku, 3), "Idempotency-Key", key, "Accept", "application/json");
        HttpResponse<String> retriedByOther =
                otherCustomer.postOrder(Api.order(other, sku, 3), "Idempotency-Key", key, "Accept", "application/json");

        assertThat(first.statusCode()).isEqualTo(202);
        assertThat(otherBody.statusCode()).as(otherBody.body()).isEqualTo(202);
        assertThat(otherBody.body()).doesNotContain(firstId);
        assertThat(otherBody.headers().firstValue("Idempotent-Replayed")).isEmpty();
        assertThat(Api.json(otherBody).get("customer_id").asString()).isEqualTo(other);
        assertThat(retriedByOther.statusCode()).isEqualTo(202);
        assertThat(Api.json(retriedByOther).get("order_id"))
                .isEqualTo(Api.json(otherBody).get("order_id"));
        assertThat(ordersOf(other))
                .as("its retry is a replay of its own first answer")
                .isEqualTo(1);
        HttpResponse<String> replayedToFirst = postWithKey(Api.order(customer, sku, 2), key);
        assertThat(Api.json(replayedToFirst).get("order_id").asString()).isEqualTo(firstId);
        assertThat(ordersOf(customer)).isEqualTo(1);
    }

    @Test
    void theSameKeyAndBodyFromAnotherCustomerIsTheirOwnNewOrder() {
        String key = "key-" + UUID.randomUUID();
        String body = Api.order(sku, 1);
        HttpResponse<String> first = postWithKey(body, key);

        HttpResponse<String> other = api.as("other-" + UUID.randomUUID())
                .postOrder(body, "Idempotency-Key", key, "Accept", "application/json");

        assertThat(other.statusCode()).isEqualTo(202);
        assertThat(other.headers().firstValue("Idempotent-Replayed")).isEmpty();
        assertThat(Api.json(other).get("order_id")).isNotEqualTo(Api.json(first).get("order_id"));
        assertThat(other.body()).doesNotContain(Api.json(first).get("order_id").asString());
        assertThat(jdbc.sql("SELECT count(*) FROM idempotency_keys WHERE idempotency_key = ?")
                        .param(key)
                        .query(Long.class)
                        .single())
                .as("one row per caller")
                .isEqualTo(2);
    }

    @Test
    void concurrentRequestsWithOneKeyCreateOneOrder() throws Exception {
        String key = "key-" + UUID.randomUUID();
        String body = Api.order(customer, sku, 1);
        int clients = 12;
        CountDownLatch start = new CountDownLatch(1);
        List<Future<HttpResponse<String>>> responses = new ArrayList<>();
        try (ExecutorService pool = Executors.newFixedThreadPool(clients)) {
            for (int i = 0; i < clients; i++) {
                responses.add(pool.submit(() -> {
                    start.await();
                    return postWithKey(body, key);
                }));
            }
            start.countDown();
            List<String> orderIds = new ArrayList<>();
            for (Future<HttpResponse<String>> response : responses) {
                HttpResponse<String> answer = response.get();
                assertThat(answer.statusCode()).isEqualTo(202);
                orderIds.add(Api.json(answer).get("order_id").asString());
            }
            assertThat(orderIds).hasSize(clients).containsOnly(orderIds.getFirst());
        }
        assertThat(ordersOf(customer)).isEqualTo(1);
        assertThat(outboxRowsOf(customer)).isEqualTo(1);
    }

    @Test
    void expiredKeyMayBeUsedForANewOrder() {
        String key = "key-" + UUID.randomUUID();
        String body = Api.order(customer, sku, 1);
        String first = Api.json(postWithKey(body, key)).get("order_id").asString();
        expire(key);

        HttpResponse<String> again = postWithKey(body, key);

        assertThat(again.statusCode()).isEqualTo(202);
        assertThat(Api.json(again).get("order_id").asString()).isNotEqualTo(first);
        assertThat(ordersOf(customer)).isEqualTo(2);
    }

    @Test
    void purgeDeletesOnlyExpiredKeys() {
        String expired = "key-" + UUID.randomUUID();
        String live = "key-" + UUID.randomUUID();
        postWithKey(Api.order(customer, sku, 1), expired);
        postWithKey(Api.order(customer, sku, 2), live);
        expire(expired);

        purge.run();

        assertThat(keyExists(expired)).isFalse();
        assertThat(keyExists(live)).isTrue();
    }

    @Test
    void malformedKeyIsRefusedNamingTheHeader() {
        for (String key : List.of(" ", "x".repeat(256), "tab\there")) {
            HttpResponse<String> response = postWithKey(Api.order(customer, sku, 1), key);

            assertThat(response.statusCode()).as("key %s", key).isEqualTo(400);
            assertThat(Api.json(response).get("errors").get(0).get("field").asString())
                    .isEqualTo("Idempotency-Key");
        }
        assertThat(ordersOf(customer)).isZero();
        assertThat(outboxRowsOf(customer)).isZero();
    }

    private HttpResponse<String> postWithKey(String body, String key) {
        return api.postOrder(body, "Idempotency-Key", key, "Accept", "application/json");
    }

    private void expire(String key) {
        jdbc.sql("UPDATE idempotency_keys SET expires_at = now() - interval '1 second' WHERE idempotency_key = ?")
                .param(key)
                .update();
    }

    private boolean keyExists(String key) {
        return jdbc.sql("SELECT count(*) FROM idempotency_keys WHERE idempotency_key = ?")
                        .param(key)
                        .query(Long.class)
                        .single()
                == 1;
    }

    private long ordersOf(String customer) {
        return jdbc.sql("SELECT count(*) FROM orders WHERE customer_id = ?")
                .param(customer)
                .query(Long.class)
                .single();
    }

    private long outboxRowsOf(String customer) {
        return jdbc.sql("SELECT count(*) FROM outbox WHERE payload->'data'->>'customer_id' = ?")
                .param(customer)
                .query(Long.class)
                .single();
    }
}
