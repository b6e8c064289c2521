package dev.orderly.api.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.orderly.api.Api;
import dev.orderly.testsupport.RealInfrastructure;
import dev.orderly.testsupport.TestTokens;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;

/**
 * The rate limit on {@code POST /orders} over real HTTP, with real tokens and the real database: a caller over its
 * limit gets 429 {@code rate-limited} with {@code Retry-After}, and nothing of its request is stored; other callers
 * are not affected; a client's own limit takes effect; both outcomes are counted; the bucket refills; and a request
 * the security chain refuses is refused as such, not counted.
 *
 * <p>The default limit here is 3 orders, refilled 1 an hour, so no refill comes during a test; client {@code bulk} has
 * 6, and client {@code quick} 1 refilled every second, for the refill test, which awaits with a deadline.
 */
@SpringBootTest(
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {
            "orderly.api.rate-limit.capacity=3",
            "orderly.api.rate-limit.refill=1",
            "orderly.api.rate-limit.refill-period=1h",
            "orderly.api.rate-limit.clients.bulk.capacity=6",
            "orderly.api.rate-limit.clients.quick.capacity=1",
            "orderly.api.rate-limit.clients.quick.refill-period=1s"
        })
@RealInfrastructure
class RateLimitIntegrationTests {

    private static final String PROBLEM_JSON = "application/problem+json";

    @LocalServerPort
    int port;

    @Autowired
    JdbcClient jdbc;

    @Autowired
    MeterRegistry meters;

    Api api;
    String sku;

    @BeforeEach
    void setUp() {
        api = new Api(port);
        sku = api.newSku(1000);
    }

    @Test
    void overTheLimitIs429WithRetryAfterAndAProblemAndNothingIsStored() {
        String customer = newCustomer();
        Api caller = api.withToken(TestTokens.forClient(customer, "orders:write"));
        for (int remaining = 2; remaining >= 0; remaining--) {
            HttpResponse<String> placed = caller.postOrder(Api.order(sku, 1));
            assertThat(placed.statusCode()).as(placed.body()).isEqualTo(202);
            assertThat(placed.headers().firstValue("X-RateLimit-Limit")).hasValue("3");
            assertThat(placed.headers().firstValue("X-RateLimit-Remaining")).hasValue(Integer.toString(remaining));
        }
        long orders = count("SELECT count(*) FROM orders");
        long outbox = count("SELECT count(*) FROM outbox");
        long keys = count("SELECT count(*) FROM idempotency_keys");

        HttpResponse<String> limited =
                caller.postOrder(Api.order(sku, 1), "Idempotency-Key", "limited-" + customer, "Accept", "*/*");

        assertThat(limited.statusCode()).as(limited.body()).isEqualTo(429);
        assertThat(limited.headers().firstValue("Content-Type"))
                .hasValueSatisfying(type -> assertThat(type).startsWith(PROBLEM_JSON));
        // One order's worth comes back an hour after the first was taken: Retry-After is that, in whole seconds.
        assertThat(limited.headers().firstValue("Retry-After"))
                .hasValueSatisfying(
                        seconds -> assertThat(Long.parseLong(seconds)).isBetween(3000L, 3600L));
        assertThat(limited.headers().firstValue("X-RateLimit-Remaining")).hasValue("0");
        JsonNode problem = Api.json(limited);
        assertThat(problem.get("type").asString()).isEqualTo("urn:orderly:problem:rate-limited");
        assertThat(problem.get("status").asInt()).isEqualTo(429);
        assertThat(problem.get("title").asString()).isEqualTo("Too many requests");
        assertThat(problem.get("detail").asString())
                .contains("Nothing was stored")
                .contains("retry after");
        assertThat(limited.body()).doesNotContain("Exception").doesNotContain(customer);
        assertThat(count("SELECT count(*) FROM orders")).as("orders").isEqualTo(orders);
        assertThat(count("SELECT count(*) FROM outbox")).as("outbox rows").isEqualTo(outbox);
        assertThat(count("SELECT count(*) FROM idempotency_keys"))
                .as("idempotency keys")
                .isEqualTo(keys);
        assertThat(ordersOf(customer)).isEqualTo(3);
    }

    @Test
    void anotherCallerIsNotAffected() {
        String first = newCustomer();
        String second = newCustomer();
        Api limited = drained(first);

        HttpResponse<String> other =
                api.withToken(TestTokens.forClient(second, "orders:write")).postOrder(Api.order(sku, 1));

        assertThat(limited.postOrder(Api.order(sku, 1)).statusCode()).isEqualTo(429);
        assertThat(other.statusCode()).as(other.body()).isEqualTo(202);
        assertThat(ordersOf(second)).isEqualTo(1);
    }

    @Test
    void aClientsOwnLimitTakesEffectWhetherTheTokenNamesItInClientIdOrAzp() {
        for (String claim : new String[] {"client_id", "azp"}) {
            String customer = newCustomer();
            Api caller = api.withToken(TestTokens.token(customer)
                    .scopes("orders:write")
                    .claim(claim, "bulk")
                    .mint());
            for (int i = 0; i < 6; i++) {
                HttpResponse<String> placed = caller.postOrder(Api.order(sku, 1));
                assertThat(placed.statusCode())
                        .as("%s, order %d: %s", claim, i, placed.body())
                        .isEqualTo(202);
                assertThat(placed.headers().firstValue("X-RateLimit-Limit")).hasValue("6");
            }
            assertThat(caller.postOrder(Api.order(sku, 1)).statusCode())
                    .as(claim)
                    .isEqualTo(429);
            assertThat(ordersOf(customer)).isEqualTo(6);
        }
    }

    @Test
    void theMetricCountsBothOutcomesTaggedByConfiguredClientOrOther() {
        double bulkAllowed = counted("allowed", "bulk");
        double bulkLimited = counted("limited", "bulk");
        double otherAllowed = counted("allowed", "other");
        double otherLimited = counted("limited", "other");
        Api bulk = api.withToken(TestTokens.token(newCustomer())
                .scopes("orders:write")
                .claim("client_id", "bulk")
                .mint());
        for (int i = 0; i < 7; i++) {
            bulk.postOrder(Api.order(sku, 1));
        }
        drained(newCustomer()).postOrder(Api.order(sku, 1));

        assertThat(counted("allowed", "bulk") - bulkAllowed).isEqualTo(6);
        assertThat(counted("limited", "bulk") - bulkLimited).isEqualTo(1);
        assertThat(counted("allowed", "other") - otherAllowed).isEqualTo(3);
        assertThat(counted("limited", "other") - otherLimited).isEqualTo(2);
        assertThat(meters.find("orderly.api.rate.limit").counters())
                .as("client tags: the configured clients and other, never a caller's own name")
                .allSatisfy(
                        counter -> assertThat(counter.getId().getTag("client")).isIn("bulk", "quick", "other"));
    }

    @Test
    void theBucketRefillsAndLetsTheCallerInAgain() {
        String customer = newCustomer();
        Api caller = api.withToken(TestTokens.token(customer)
                .scopes("orders:write")
                .claim("client_id", "quick")
                .mint());
        AtomicReference<HttpResponse<String>> limited = new AtomicReference<>();
        // One order's worth a second: two requests in a row find the bucket empty, unless a second passed between them.
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ZERO).until(() -> {
            HttpResponse<String> answer = caller.postOrder(Api.order(sku, 1));
            limited.set(answer);
            return answer.statusCode() == 429;
        });
        assertThat(limited.get().headers().firstValue("Retry-After")).hasValue("1");

        await().atMost(Duration.ofSeconds(20))
                .pollInterval(Duration.ofMillis(100))
                .until(() -> caller.postOrder(Api.order(sku, 1)).statusCode() == 202);
    }

    @Test
    void aRequestTheSecurityChainRefusesIsRefusedAsSuchAndNotCounted() {
        String customer = newCustomer();
        drained(customer);
        double limitedBefore = counted("limited", "other");

        HttpResponse<String> withoutToken = api.withToken(null).postOrder(Api.order(sku, 1));
        HttpResponse<String> withoutScope =
                api.withToken(TestTokens.forClient(customer, "orders:read")).postOrder(Api.order(sku, 1));
        HttpResponse<String> read =
                api.withToken(TestTokens.forClient(customer, "orders:read")).get("/orders/" + UUID.randomUUID());

        assertThat(withoutToken.statusCode()).isEqualTo(401);
        assertThat(withoutScope.statusCode()).isEqualTo(403);
        assertThat(read.statusCode()).as("only POST /orders is limited").isEqualTo(404);
        assertThat(read.headers().firstValue("X-RateLimit-Limit")).isEmpty();
        assertThat(counted("limited", "other")).isEqualTo(limitedBefore);
    }

    /** A caller of the default limit (3) that has used it up, its fourth order refused. */
    private Api drained(String customer) {
        Api caller = api.withToken(TestTokens.forClient(customer, "orders:write", "orders:read"));
        for (int i = 0; i < 3; i++) {
            assertThat(caller.postOrder(Api.order(sku, 1)).statusCode()).isEqualTo(202);
        }
        assertThat(caller.postOrder(Api.order(sku, 1)).statusCode()).isEqualTo(429);
        return caller;
    }

    private double counted(String outcome, String client) {
        Counter counter = meters.find("orderly.api.rate.limit")
                .tags("outcome", outcome, "client", client)
                .counter();
        assertThat(counter).as("counter %s/%s", outcome, client).isNotNull();
        return counter.count();
    }

    private static String newCustomer() {
        return "rate-" + UUID.randomUUID();
    }

    private long ordersOf(String customer) {
        return jdbc.sql("SELECT count(*) FROM orders WHERE customer_id = ?")
                .param(customer)
                .query(Long.class)
                .single();
    }

    private long count(String sql) {
        return jdbc.sql(sql).query(Long.class).single();
    }
}
