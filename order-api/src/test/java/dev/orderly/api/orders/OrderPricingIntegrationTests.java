package dev.orderly.api.orders;

import static org.assertj.core.api.Assertions.assertThat;

import dev.orderly.api.Api;
import dev.orderly.contracts.Envelope;
import dev.orderly.contracts.EventCodec;
import dev.orderly.contracts.OrderCreated;
import dev.orderly.contracts.OrderLine;
import dev.orderly.testsupport.RealInfrastructure;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;

/**
 * POST /orders charges the catalogue's prices, read when the order is accepted: the answer, the stored lines, the total
 * and order.created all carry the server's price. A price of the client's is never charged: one that is not the
 * catalogue's, 0 included, is refused with 409, one out of v1's bounds with 400, an order for a SKU that is not for
 * sale or is priced in another currency with 422; a refused order stores nothing.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@RealInfrastructure
class OrderPricingIntegrationTests {

    @LocalServerPort
    int port;

    @Autowired
    JdbcClient jdbc;

    Api api;

    String customer;

    @BeforeEach
    void setUp() {
        customer = "pricing-" + UUID.randomUUID();
        api = new Api(port).as(customer);
    }

    @Test
    void anOrderIsChargedTheCataloguesPricesInItsAnswerItsLinesItsTotalAndOrderCreated() {
        String shirt = api.newSku(1250);
        String socks = api.newSku(99);

        // One line without a price (the server's), one stating the current price (checked, then the server's too).
        HttpResponse<String> response = api.postOrder(order(line(shirt, 2, null), line(socks, 3, 99L)));

        assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
        UUID orderId = UUID.fromString(Api.json(response).get("order_id").asString());
        assertThat(Api.json(response).get("total_cents").asLong()).isEqualTo(2 * 1250 + 3 * 99);
        assertThat(jdbc.sql("SELECT total_cents FROM orders WHERE id = ?")
                        .param(orderId)
                        .query(Long.class)
                        .single())
                .isEqualTo(2797);
        assertThat(jdbc.sql("SELECT unit_price_cents FROM order_lines WHERE order_id = ? ORDER BY line_no")
                        .param(orderId)
                        .query(Long.class)
                        .list())
                .containsExactly(1250L, 99L);
        assertThat(orderCreated(orderId))
                .isEqualTo(new OrderCreated(
                        orderId,
                        customer,
                        "EUR",
                        2797,
                        List.of(new OrderLine(shirt, 2, 1250), new OrderLine(socks, 3, 99))));
        JsonNode lines = Api.json(api.get("/orders/" + orderId)).get("lines");
        assertThat(lines.get(0).get("unit_price_cents").asLong()).isEqualTo(1250);
        assertThat(lines.get(0).get("line_total_cents").asLong()).isEqualTo(2500);
        assertThat(lines.get(1).get("unit_price_cents").asLong()).isEqualTo(99);
    }

    @ParameterizedTest(name = "{0} cents")
    @ValueSource(longs = {0, 1, 1249, 1251, 1_000_000_000})
    void aPriceOtherThanTheCataloguesZeroIncludedIsRefusedWith409NamingTheCurrentPriceAndNothingIsStored(long sent) {
        String sku = api.newSku(1250);
        String other = api.newSku(700);

        HttpResponse<String> response = api.postOrder(order(line(other, 1, 700L), line(sku, 2, sent)));

        assertThat(response.statusCode()).as(response.body()).isEqualTo(409);
        JsonNode problem = Api.json(response);
        assertThat(problem.get("type").asString()).isEqualTo("urn:orderly:problem:price-mismatch");
        assertThat(problem.get("detail").asString()).contains("'" + sku + "' (1250 EUR)");
        assertThat(problem.get("errors")).hasSize(1);
        assertThat(problem.get("errors").get(0).get("field").asString()).isEqualTo("lines[1].unit_price_cents");
        assertThat(problem.get("errors").get(0).get("message").asString())
                .isEqualTo("is 1250 EUR for '%s' now, not %d".formatted(sku, sent));
        JsonNode current = problem.get("current_prices");
        assertThat(current).hasSize(1);
        assertThat(current.get(0).get("sku").asString()).isEqualTo(sku);
        assertThat(current.get(0).get("unit_price_cents").asLong()).isEqualTo(1250);
        assertThat(current.get(0).get("currency").asString()).isEqualTo("EUR");
        assertNothingStored();
    }

    @ParameterizedTest(name = "{0} cents")
    @ValueSource(longs = {-1, -1250, 1_000_000_001})
    void aPriceOutOfBoundsIsRefusedWith400AndNothingIsStored(long sent) {
        String sku = api.newSku(1250);

        HttpResponse<String> response = api.postOrder(order(line(sku, 1, sent)));

        assertThat(response.statusCode()).as(response.body()).isEqualTo(400);
        JsonNode problem = Api.json(response);
        assertThat(problem.get("type").asString()).isEqualTo("urn:orderly:problem:invalid-request");
        assertThat(problem.get("errors").get(0).get("field").asString()).isEqualTo("lines[0].unit_price_cents");
        assertNothingStored();
    }

    @Test
    void aPriceChangeAppliesToTheOrdersAcceptedAfterItOnly() {
        String sku = api.newSku(1000);
        UUID before = accepted(api.postOrder(order(line(sku, 2, null))));

        api.setPrice(sku, 1500, "EUR");
        UUID after = accepted(api.postOrder(order(line(sku, 2, null))));

        assertThat(totalOf(before)).isEqualTo(2000);
        assertThat(orderCreated(before).lines()).containsExactly(new OrderLine(sku, 2, 1000));
        assertThat(Api.json(api.get("/orders/" + before))
                        .get("lines")
                        .get(0)
                        .get("unit_price_cents")
                        .asLong())
                .isEqualTo(1000);
        assertThat(totalOf(after)).isEqualTo(3000);
        assertThat(orderCreated(after).lines()).containsExactly(new OrderLine(sku, 2, 1500));
        assertThat(orderCreated(after).totalCents()).isEqualTo(3000);
        HttpResponse<String> stale = api.postOrder(order(line(sku, 1, 1000L)));
        assertThat(stale.statusCode())
                .as("the old price, sent after the change")
                .isEqualTo(409);
    }

    @Test
    void skusUnknownOrWithoutAPriceAreRefusedWith422NamingEachAndNothingIsStored() {
        String priced = api.newSku(1250);
        String unknown = "SKU-UNKNOWN-" + UUID.randomUUID();
        String unpriced = "SKU-UNPRICED-" + UUID.randomUUID();
        assertThat(api.put("/inventory/" + unpriced, "{\"on_hand\": 100}").statusCode())
                .isEqualTo(200);

        HttpResponse<String> response =
                api.postOrder(order(line(priced, 1, null), line(unknown, 1, null), line(unpriced, 2, 1250L)));

        assertThat(response.statusCode()).as(response.body()).isEqualTo(422);
        JsonNode problem = Api.json(response);
        assertThat(problem.get("type").asString()).isEqualTo("urn:orderly:problem:unknown-sku");
        assertThat(problem.get("title").asString()).isEqualTo("SKU not for sale");
        assertThat(problem.get("detail").asString())
                .contains("'" + unknown + "', '" + unpriced + "'")
                .doesNotContain(priced);
        assertThat(fieldErrors(problem))
                .containsExactly(
                        "lines[1].sku: '" + unknown + "' is not in the catalogue",
                        "lines[2].sku: '" + unpriced + "' has no price: it is not for sale");
        assertNothingStored();
    }

    @Test
    void aSkuPricedInAnotherCurrencyThanTheOrdersIsRefusedWith422AndNothingIsStored() {
        String euros = api.newSku(1250);
        String dollars = "SKU-" + UUID.randomUUID();
        api.setPrice(dollars, 1300, "USD");

        HttpResponse<String> response = api.postOrder(order(line(euros, 1, null), line(dollars, 1, null)));

        assertThat(response.statusCode()).as(response.body()).isEqualTo(422);
        JsonNode problem = Api.json(response);
        assertThat(problem.get("type").asString()).isEqualTo("urn:orderly:problem:currency-mismatch");
        assertThat(problem.get("detail").asString())
                .contains("The order is in EUR, but '" + dollars + "' is priced in USD");
        assertThat(fieldErrors(problem)).containsExactly("lines[1].sku: '" + dollars + "' is priced in USD, not EUR");
        assertNothingStored();
    }

    @Test
    void aSkuWithAPriceButNoStockIsAcceptedStockIsOrderWorkersToJudge() {
        String sku = "SKU-" + UUID.randomUUID();
        assertThat(api.put("/inventory/" + sku, "{\"on_hand\": 0, \"price_cents\": 400, \"currency\": \"EUR\"}")
                        .statusCode())
                .isEqualTo(200);

        UUID orderId = accepted(api.postOrder(order(line(sku, 5, null))));

        assertThat(totalOf(orderId)).isEqualTo(2000);
    }

    private String order(String... lines) {
        return "{\"customer_id\": \"%s\", \"currency\": \"EUR\", \"lines\": [%s]}"
                .formatted(customer, String.join(", ", lines));
    }

    private static String line(String sku, int quantity, @Nullable Long unitPriceCents) {
        return unitPriceCents == null
                ? "{\"sku\": \"%s\", \"quantity\": %d}".formatted(sku, quantity)
                : "{\"sku\": \"%s\", \"quantity\": %d, \"unit_price_cents\": %d}"
                        .formatted(sku, quantity, unitPriceCents);
    }

    private static UUID accepted(HttpResponse<String> response) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
        return UUID.fromString(Api.json(response).get("order_id").asString());
    }

    private long totalOf(UUID orderId) {
        return Api.json(api.get("/orders/" + orderId)).get("total_cents").asLong();
    }

    private OrderCreated orderCreated(UUID orderId) {
        String payload = jdbc.sql("SELECT payload::text FROM outbox WHERE aggregate_id = ?")
                .param(orderId.toString())
                .query(String.class)
                .single();
        Envelope<?> envelope = new EventCodec().fromJson(payload);
        return (OrderCreated) envelope.data();
    }

    private static List<String> fieldErrors(JsonNode problem) {
        List<String> errors = new ArrayList<>();
        problem.get("errors")
                .forEach(error -> errors.add(error.get("field").asString() + ": "
                        + error.get("message").asString()));
        return errors;
    }

    private void assertNothingStored() {
        assertThat(jdbc.sql("SELECT count(*) FROM orders WHERE customer_id = ?")
                        .param(customer)
                        .query(Long.class)
                        .single())
                .as("orders of %s", customer)
                .isZero();
        assertThat(jdbc.sql("SELECT count(*) FROM outbox WHERE payload->'data'->>'customer_id' = ?")
                        .param(customer)
                        .query(Long.class)
                        .single())
                .as("order.created events of %s", customer)
                .isZero();
    }
}
