package dev.orderly.api.security;

import static org.assertj.core.api.Assertions.assertThat;

import dev.orderly.api.Api;
import dev.orderly.testsupport.RealInfrastructure;
import dev.orderly.testsupport.TestTokens;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalManagementPort;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;

/**
 * order-api lets no one in who does not belong, over real HTTP with real tokens ({@link TestTokens}, checked against
 * the key the context trusts): no token, a forged or an expired one is 401, a missing scope 403, both problem details that
 * name no order; a customer sees its own orders only, places orders only as itself, and keeps its idempotency keys to
 * itself ({@code IdempotencyIntegrationTests}); the actuator is on the management port alone, its probes open.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@RealInfrastructure
class SecurityIntegrationTests {

    private static final String PROBLEM_JSON = "application/problem+json";

    @LocalServerPort
    int port;

    @LocalManagementPort
    int managementPort;

    @Autowired
    JdbcClient jdbc;

    /** The tests' caller with every scope, for setting things up and looking at them. */
    Api admin;

    String sku;

    @BeforeEach
    void setUp() {
        admin = new Api(port);
        sku = admin.newSku(1000);
    }

    @Test
    void withoutATokenOrWithAForgedOrExpiredOneEveryResourceIs401AndNothingHappens() {
        String customer = "customer-" + UUID.randomUUID();
        UUID order = place(customer);
        String forged = TestTokens.token(customer)
                .scopes(Api.ALL_SCOPES)
                .signedByAnotherKey()
                .mint();
        String expired = TestTokens.token(customer)
                .scopes(Api.ALL_SCOPES)
                .expired(Duration.ofMinutes(5))
                .mint();
        Map<String, String> refusals = new java.util.LinkedHashMap<>();
        refusals.put("none", null);
        refusals.put("forged", forged);
        refusals.put("expired", expired);
        refusals.put("not a JWT", "not-a-jwt");

        refusals.forEach((what, token) -> {
            Api caller = admin.withToken(token);
            String type = token == null ? "authentication-required" : "invalid-token";
            List<HttpResponse<String>> answers = List.of(
                    caller.postOrder(Api.order(customer, sku, 1)),
                    caller.get("/orders/" + order),
                    caller.put("/inventory/" + sku, "{\"on_hand\": 1}"),
                    caller.get("/inventory/" + sku));
            for (HttpResponse<String> answer : answers) {
                assertThat(answer.statusCode())
                        .as("%s: %s", what, answer.request())
                        .isEqualTo(401);
                assertRefusal(answer, 401, type);
                assertThat(answer.headers().firstValue("WWW-Authenticate"))
                        .hasValueSatisfying(challenge -> assertThat(challenge).startsWith("Bearer"));
                assertThat(answer.body()).as("names no order").doesNotContain(order.toString());
            }
        });

        assertThat(ordersOf(customer)).as("only the order placed first").isEqualTo(1);
        assertThat(Api.json(admin.get("/inventory/" + sku)).get("on_hand").asInt())
                .isEqualTo(1_000_000);
    }

    @Test
    void aTokenWithoutTheScopeIs403NamingItAndNoOrder() {
        String customer = "customer-" + UUID.randomUUID();
        UUID order = place(customer);
        Api readOnly = admin.withToken(TestTokens.forClient(customer, "orders:read", "inventory:read"));
        Api writeOnly = admin.withToken(TestTokens.forClient(customer, "orders:write"));

        HttpResponse<String> post = readOnly.postOrder(Api.order(customer, sku, 1));
        HttpResponse<String> read = writeOnly.get("/orders/" + order);

        assertRefusal(post, 403, "insufficient-scope");
        assertThat(Api.json(post).get("detail").asString()).contains("'orders:write'");
        assertThat(post.headers().firstValue("WWW-Authenticate"))
                .hasValueSatisfying(
                        challenge -> assertThat(challenge).startsWith("Bearer error=\"insufficient_scope\""));
        assertRefusal(read, 403, "insufficient-scope");
        assertThat(Api.json(read).get("detail").asString()).contains("'orders:read'");
        assertThat(read.body()).doesNotContain(order.toString());
        assertThat(ordersOf(customer)).isEqualTo(1);
    }

    @Test
    void anotherCustomersOrderIs404AsAnUnknownOneIsUnlessTheTokenMayReadAll() {
        UUID theirs = place("customer-" + UUID.randomUUID());
        UUID unknown = UUID.randomUUID();
        Api me = admin.withToken(TestTokens.forClient("customer-" + UUID.randomUUID(), "orders:read"));
        Api operator = admin.withToken(TestTokens.forClient("operator", "orders:read", "orders:read-all"));

        HttpResponse<String> other = me.get("/orders/" + theirs);
        HttpResponse<String> none = me.get("/orders/" + unknown);

        assertThat(other.statusCode()).isEqualTo(404);
        assertThat(Api.json(other).toString().replace(theirs.toString(), "ID"))
                .as("the same answer as for an order that does not exist")
                .isEqualTo(Api.json(none).toString().replace(unknown.toString(), "ID"));
        assertThat(other.body()).doesNotContain("customer");
        HttpResponse<String> readAll = operator.get("/orders/" + theirs);
        assertThat(readAll.statusCode()).isEqualTo(200);
        assertThat(Api.json(readAll).get("order_id").asString()).isEqualTo(theirs.toString());
    }

    @Test
    void theStuckOrdersAreListedOldestFirstOnlyForATokenThatMayReadEveryOrder() {
        UUID old = UUID.randomUUID();
        jdbc.sql("""
                        INSERT INTO orders (id, customer_id, currency, total_cents, status, created_at, updated_at)
                        VALUES (?, 'c-stuck-listed', 'EUR', 100, 'PAID', now() - interval '2 hours', now())
                        """).param(old).update();
        try {
            Api reader = admin.withToken(TestTokens.forClient("customer-" + UUID.randomUUID(), "orders:read"));
            Api operator = admin.withToken(TestTokens.forClient("operator", "orders:read", "orders:read-all"));

            HttpResponse<String> refused = reader.get("/orders/stuck");
            HttpResponse<String> listed = operator.get("/orders/stuck?limit=500");

            assertRefusal(refused, 403, "insufficient-scope");
            assertThat(refused.body()).contains("orders:read-all").doesNotContain(old.toString());
            assertThat(reader.head("/orders/stuck").statusCode())
                    .as("HEAD, which Spring answers from the GET mapping, needs the same scope")
                    .isEqualTo(403);
            assertThat(listed.statusCode()).isEqualTo(200);
            JsonNode listing = Api.json(listed);
            assertThat(listing.get("after_seconds").asDouble()).isEqualTo(300.0);
            assertThat(listing.get("orders")).anySatisfy(order -> {
                assertThat(order.get("order_id").asString()).isEqualTo(old.toString());
                assertThat(order.get("status").asString()).isEqualTo("PAID");
                assertThat(order.get("customer_id").asString()).isEqualTo("c-stuck-listed");
                assertThat(order.get("age_seconds").asDouble()).isGreaterThanOrEqualTo(7_200);
            });
        } finally {
            // No other test may find it stuck (StuckOrdersIntegrationTests counts them).
            jdbc.sql("UPDATE orders SET status = 'SHIPPED' WHERE id = ?")
                    .param(old)
                    .update();
        }
    }

    @Test
    void aCustomersOrdersAreListedNewestFirstForItselfAndForATokenThatMayReadEveryOrder() {
        String customer = "customer-" + UUID.randomUUID();
        UUID first = place(customer);
        UUID second = place(customer);
        Api me = admin.withToken(TestTokens.forClient(customer, "orders:read"));
        Api someoneElse = admin.withToken(TestTokens.forClient("customer-" + UUID.randomUUID(), "orders:read"));
        Api operator = admin.withToken(TestTokens.forClient("operator", "orders:read", "orders:read-all"));

        HttpResponse<String> mine = me.get("/orders");
        HttpResponse<String> named = me.get("/orders?customer_id=" + customer);
        HttpResponse<String> refused = someoneElse.get("/orders?customer_id=" + customer);
        HttpResponse<String> latest = operator.get("/orders?customer_id=" + customer + "&limit=1");

        assertThat(mine.statusCode()).isEqualTo(200);
        assertThat(Api.json(mine).get("customer_id").asString()).isEqualTo(customer);
        assertThat(Api.json(mine).get("orders"))
                .extracting(order -> order.get("order_id").asString())
                .containsExactly(second.toString(), first.toString());
        assertThat(Api.json(named).get("orders")).hasSize(2);
        assertRefusal(refused, 403, "customer-mismatch");
        assertThat(refused.body()).doesNotContain(first.toString()).doesNotContain(second.toString());
        assertThat(latest.statusCode()).isEqualTo(200);
        assertThat(Api.json(latest).get("orders"))
                .extracting(order -> order.get("order_id").asString())
                .containsExactly(second.toString());
        assertThat(admin.withToken(TestTokens.forClient(customer, "inventory:read"))
                        .get("/orders")
                        .statusCode())
                .as("without orders:read")
                .isEqualTo(403);
    }

    @Test
    void aCustomerReadsItsOwnOrder() {
        String customer = "customer-" + UUID.randomUUID();
        UUID mine = place(customer);

        HttpResponse<String> read =
                admin.withToken(TestTokens.forClient(customer, "orders:read")).get("/orders/" + mine);

        assertThat(read.statusCode()).isEqualTo(200);
        assertThat(Api.json(read).get("customer_id").asString()).isEqualTo(customer);
    }

    @Test
    void theOrderIsTheTokensCustomersAndABodyNamingAnotherIs403StoringNothing() {
        String customer = "customer-" + UUID.randomUUID();
        String victim = "victim-" + UUID.randomUUID();
        Api shop = admin.withToken(TestTokens.forClient(customer, "orders:write", "orders:read"));

        HttpResponse<String> refused = shop.postOrder(Api.order(victim, sku, 1), "Idempotency-Key", "k-" + victim);
        HttpResponse<String> placed = shop.postOrder(Api.order(sku, 1));

        assertRefusal(refused, 403, "customer-mismatch");
        assertThat(ordersOf(victim)).isZero();
        assertThat(ordersOf(customer)).isEqualTo(1);
        assertThat(jdbc.sql("SELECT count(*) FROM outbox WHERE payload->'data'->>'customer_id' = ?")
                        .param(victim)
                        .query(Long.class)
                        .single())
                .isZero();
        assertThat(jdbc.sql("SELECT count(*) FROM idempotency_keys WHERE idempotency_key = ?")
                        .param("k-" + victim)
                        .query(Long.class)
                        .single())
                .isZero();
        assertThat(placed.statusCode()).isEqualTo(202);
        assertThat(Api.json(placed).get("customer_id").asString()).isEqualTo(customer);
    }

    @Test
    void settingStockWithoutInventoryWriteIs403AndLeavesItAsItWas() {
        Api reader = admin.withToken(TestTokens.forClient("inventory-reader", "inventory:read", "orders:write"));

        HttpResponse<String> put =
                reader.put("/inventory/" + sku, "{\"on_hand\": 0, \"price_cents\": 1, \"currency\": \"EUR\"}");

        assertRefusal(put, 403, "insufficient-scope");
        assertThat(Api.json(put).get("detail").asString()).contains("'inventory:write'");
        JsonNode stock = Api.json(reader.get("/inventory/" + sku));
        assertThat(stock.get("on_hand").asInt()).isEqualTo(1_000_000);
        assertThat(stock.get("price_cents").asLong()).isEqualTo(1000);
        assertRefusal(
                admin.withToken(TestTokens.forClient("shop", "orders:write")).get("/inventory/" + sku),
                403,
                "insufficient-scope");
    }

    @Test
    void theProbesAreOpenOnTheManagementPortAndEverythingElseThereNeedsItsScope() {
        Api management = new Api(managementPort);
        Api anonymous = management.withToken(null);

        assertThat(anonymous.get("/actuator/health/liveness").statusCode()).isEqualTo(200);
        HttpResponse<String> readiness = anonymous.get("/actuator/health/readiness");
        assertThat(readiness.statusCode()).isEqualTo(200);
        assertThat(Api.json(readiness).has("components"))
                .as("no details without a token")
                .isFalse();

        assertRefusal(anonymous.get("/actuator/prometheus"), 401, "authentication-required");
        HttpResponse<String> wrongScope = management
                .withToken(TestTokens.forClient("operator", "actuator:read"))
                .get("/actuator/prometheus");
        assertRefusal(wrongScope, 403, "insufficient-scope");
        assertThat(Api.json(wrongScope).get("detail").asString()).contains("'metrics:read'");
        HttpResponse<String> scrape = management
                .withToken(TestTokens.forClient("monitoring", "metrics:read"))
                .get("/actuator/prometheus");
        assertThat(scrape.statusCode()).isEqualTo(200);
        assertThat(scrape.body()).contains("orderly_api_outbox_backlog");

        assertRefusal(anonymous.get("/actuator/health"), 401, "authentication-required");
        assertRefusal(
                management
                        .withToken(TestTokens.forClient("monitoring", "metrics:read"))
                        .get("/actuator/info"),
                403,
                "insufficient-scope");
        assertThat(management
                        .withToken(TestTokens.forClient("operator", "actuator:read"))
                        .get("/actuator/info")
                        .statusCode())
                .isEqualTo(200);
    }

    @Test
    void theApplicationPortServesNoActuator() {
        Api everything = new Api(port);

        for (String path :
                List.of("/actuator/health/readiness", "/actuator/health", "/actuator/prometheus", "/actuator/info")) {
            assertThat(everything.get(path).statusCode()).as(path).isEqualTo(404);
            assertThat(everything.withToken(null).get(path).statusCode())
                    .as(path)
                    .isEqualTo(401);
        }
    }

    @Test
    void theApiDescriptionAndTheResourcesMetadataAreOpen() {
        Api anonymous = admin.withToken(null);

        assertThat(anonymous.get("/v3/api-docs").statusCode()).isEqualTo(200);
        assertThat(anonymous.get("/swagger-ui/index.html").statusCode()).isEqualTo(200);
        // Where Spring's WWW-Authenticate challenge points a client (RFC 9728): it must answer without a token.
        HttpResponse<String> metadata = anonymous.get("/.well-known/oauth-protected-resource");
        assertThat(metadata.statusCode()).as(metadata.body()).isEqualTo(200);
        assertThat(Api.json(metadata).get("resource").asString()).startsWith("http://127.0.0.1:" + port);
    }

    /**
     * With {@code orderly.api.security.customer-claim} set, the customer is that claim of the token, not its subject:
     * an identity provider that issues tokens to users, say, names the customer in a claim of its own.
     */
    @Nested
    @SpringBootTest(
            webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
            properties = "orderly.api.security.customer-claim=customer_id")
    class WithACustomerClaim {

        @LocalServerPort
        int claimPort;

        @Test
        void theCustomerIsTheClaimsAndATokenWithoutItIs403() {
            String customer = "claimed-" + UUID.randomUUID();
            Api api = new Api(claimPort);
            String sku = api.newSku(100);
            Api shop = api.withToken(TestTokens.token("some-client")
                    .claim("customer_id", customer)
                    .scopes("orders:write", "orders:read")
                    .mint());

            HttpResponse<String> placed = shop.postOrder(Api.order(sku, 1));
            HttpResponse<String> withoutClaim = api.withToken(TestTokens.forClient("some-client", "orders:write"))
                    .postOrder(Api.order(sku, 1));

            assertThat(placed.statusCode()).as(placed.body()).isEqualTo(202);
            assertThat(Api.json(placed).get("customer_id").asString()).isEqualTo(customer);
            assertThat(ordersOf(customer)).isEqualTo(1);
            assertThat(ordersOf("some-client")).isZero();
            assertRefusal(withoutClaim, 403, "customer-claim-unusable");
        }
    }

    private UUID place(String customer) {
        HttpResponse<String> placed = admin.as(customer).postOrder(Api.order(sku, 1));
        assertThat(placed.statusCode()).as(placed.body()).isEqualTo(202);
        return UUID.fromString(Api.json(placed).get("order_id").asString());
    }

    private long ordersOf(String customer) {
        return jdbc.sql("SELECT count(*) FROM orders WHERE customer_id = ?")
                .param(customer)
                .query(Long.class)
                .single();
    }

    /** A problem detail of {@code type}, with its title and detail, and nothing of a stack trace. */
    private static void assertRefusal(HttpResponse<String> answer, int status, String type) {
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(status);
        assertThat(answer.headers().firstValue("Content-Type"))
                .hasValueSatisfying(contentType -> assertThat(contentType).startsWith(PROBLEM_JSON));
        JsonNode problem = Api.json(answer);
        assertThat(problem.get("type").asString()).isEqualTo("urn:orderly:problem:" + type);
        assertThat(problem.get("status").asInt()).isEqualTo(status);
        assertThat(problem.get("title").asString()).isNotBlank();
        assertThat(problem.get("detail").asString()).isNotBlank();
        assertThat(answer.body())
                .doesNotContain("Exception")
                .doesNotContain("\tat ")
                .doesNotContain("order_id");
    }
}
