package dev.orderly.api.inventory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.orderly.api.Api;
import dev.orderly.testsupport.OrderlyInfrastructure;
import dev.orderly.testsupport.RealInfrastructure;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;

/** GET and PUT /inventory/{sku} read and set stock and price, and never set stock below what is reserved. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@RealInfrastructure
class InventoryIntegrationTests {

    @LocalServerPort
    int port;

    @Autowired
    JdbcClient jdbc;

    @Test
    void putSetsStockAndGetReadsIt() throws Exception {
        String sku = "SKU-" + UUID.randomUUID();

        HttpResponse<String> put = put(sku, "{\"on_hand\": 12}");
        assertThat(put.statusCode()).isEqualTo(200);

        HttpResponse<String> get = new Api(port).get("/inventory/" + sku);
        assertThat(get.statusCode()).isEqualTo(200);
        JsonNode body = Api.json(get);
        assertThat(body.get("sku").asString()).isEqualTo(sku);
        assertThat(body.get("on_hand").asInt()).isEqualTo(12);
        assertThat(body.get("reserved").asInt()).isZero();
        assertThat(body.get("available").asInt()).isEqualTo(12);
        assertThat(body.get("price_cents").isNull())
                .as("never priced: not for sale")
                .isTrue();
        assertThat(body.get("currency").isNull()).isTrue();
    }

    @Test
    void putSetsThePriceGetShowsItAndAPutWithOnlyOnHandKeepsIt() throws Exception {
        String sku = "SKU-" + UUID.randomUUID();

        HttpResponse<String> priced = put(sku, "{\"on_hand\": 12, \"price_cents\": 1999, \"currency\": \"EUR\"}");
        assertThat(priced.statusCode()).as(priced.body()).isEqualTo(200);
        assertThat(Api.json(priced).get("price_cents").asLong()).isEqualTo(1999);

        assertThat(put(sku, "{\"on_hand\": 20}").statusCode()).isEqualTo(200);

        JsonNode body = Api.json(new Api(port).get("/inventory/" + sku));
        assertThat(body.get("on_hand").asInt()).isEqualTo(20);
        assertThat(body.get("price_cents").asLong()).isEqualTo(1999);
        assertThat(body.get("currency").asString()).isEqualTo("EUR");
        assertThat(put(sku, "{\"on_hand\": 20, \"price_cents\": 2100, \"currency\": \"USD\"}")
                        .statusCode())
                .isEqualTo(200);
        JsonNode repriced = Api.json(new Api(port).get("/inventory/" + sku));
        assertThat(repriced.get("price_cents").asLong()).isEqualTo(2100);
        assertThat(repriced.get("currency").asString()).isEqualTo("USD");
    }

    @Test
    void aPriceOutOfBoundsOrWithoutItsCurrencyIsABadRequestAndChangesNothing() throws Exception {
        String sku = "SKU-" + UUID.randomUUID();
        put(sku, "{\"on_hand\": 3, \"price_cents\": 500, \"currency\": \"EUR\"}");

        assertBadRequest(put(sku, "{\"on_hand\": 4, \"price_cents\": 0, \"currency\": \"EUR\"}"), "price_cents");
        assertBadRequest(put(sku, "{\"on_hand\": 4, \"price_cents\": -1, \"currency\": \"EUR\"}"), "price_cents");
        assertBadRequest(
                put(sku, "{\"on_hand\": 4, \"price_cents\": 1000000001, \"currency\": \"EUR\"}"), "price_cents");
        assertBadRequest(put(sku, "{\"on_hand\": 4, \"price_cents\": 1.5, \"currency\": \"EUR\"}"), "price_cents");
        assertBadRequest(put(sku, "{\"on_hand\": 4, \"price_cents\": 600}"), "currency");
        assertBadRequest(put(sku, "{\"on_hand\": 4, \"currency\": \"EUR\"}"), "price_cents");
        assertBadRequest(put(sku, "{\"on_hand\": 4, \"price_cents\": 600, \"currency\": \"eur\"}"), "currency");

        JsonNode body = Api.json(new Api(port).get("/inventory/" + sku));
        assertThat(body.get("on_hand").asInt()).isEqualTo(3);
        assertThat(body.get("price_cents").asLong()).isEqualTo(500);
        assertThat(body.get("currency").asString()).isEqualTo("EUR");
    }

    @Test
    void theTableItselfRefusesAPriceOfZeroOrAPriceWithoutCurrency() {
        String sku = "SKU-" + UUID.randomUUID();

        for (String values : List.of("0, 'EUR'", "-5, 'EUR'", "100, NULL", "NULL, 'EUR'")) {
            assertThatThrownBy(
                            () -> jdbc.sql("INSERT INTO inventory (sku, on_hand, price_cents, currency) VALUES (?, 1, "
                                            + values + ")")
                                    .param(sku)
                                    .update())
                    .as(values)
                    .isInstanceOf(DataIntegrityViolationException.class);
        }
    }

    @Test
    void unknownSkuIsNotFound() {
        HttpResponse<String> get = new Api(port).get("/inventory/nope-" + UUID.randomUUID());

        assertThat(get.statusCode()).isEqualTo(404);
        assertThat(Api.json(get).get("type").asString()).isEqualTo("urn:orderly:problem:sku-not-found");
    }

    @Test
    void stockCannotBeSetBelowWhatIsReserved() throws Exception {
        String sku = "SKU-" + UUID.randomUUID();
        put(sku, "{\"on_hand\": 10}");
        jdbc.sql("UPDATE inventory SET reserved = 6 WHERE sku = ?").param(sku).update();

        HttpResponse<String> refused = put(sku, "{\"on_hand\": 5}");

        assertThat(refused.statusCode()).isEqualTo(409);
        assertThat(Api.json(refused).get("type").asString()).isEqualTo("urn:orderly:problem:stock-below-reserved");
        assertThat(Api.json(new Api(port).get("/inventory/" + sku))
                        .get("on_hand")
                        .asInt())
                .isEqualTo(10);
        assertThat(put(sku, "{\"on_hand\": 6}").statusCode()).isEqualTo(200);
    }

    @Test
    void negativeOrMissingStockIsABadRequest() throws Exception {
        String sku = "SKU-" + UUID.randomUUID();

        assertThat(put(sku, "{\"on_hand\": -1}").statusCode()).isEqualTo(400);
        assertThat(put(sku, "{}").statusCode()).isEqualTo(400);
        assertThat(put(sku, "{\"on_hand\": \"5\"}").statusCode()).isEqualTo(400);
    }

    @Test
    void aStockRowLockedByAnotherSessionAnswers503WithinTheLockTimeoutAndOrdersKeepFlowing() throws Exception {
        String sku = "SKU-" + UUID.randomUUID();
        put(sku, "{\"on_hand\": 10, \"price_cents\": 100, \"currency\": \"EUR\"}");
        try (Connection operator = OrderlyInfrastructure.postgres().connectAsSuperuser()) {
            // An operator's open transaction holding the row: BEGIN; UPDATE orders.inventory ... (never committed).
            operator.setAutoCommit(false);
            try (Statement sql = operator.createStatement()) {
                sql.execute("UPDATE orders.inventory SET on_hand = on_hand WHERE sku = '" + sku + "'");
            }

            long began = System.nanoTime();
            HttpResponse<String> refused = put(sku, "{\"on_hand\": 12}");
            Duration took = Duration.ofNanos(System.nanoTime() - began);

            assertThat(refused.statusCode()).isEqualTo(503);
            assertThat(refused.headers().firstValue("Retry-After")).isPresent();
            assertThat(Api.json(refused).get("type").asString()).isEqualTo("urn:orderly:problem:storage-unavailable");
            assertThat(took).as("bounded by orderly.database.lock-timeout (5s)").isLessThan(Duration.ofSeconds(15));
            // Even for the locked SKU: an order reads its price with a plain SELECT, which waits for no row lock.
            assertThat(new Api(port)
                            .as("c-lock")
                            .postOrder(Api.order("c-lock", sku, 1))
                            .statusCode())
                    .as("orders are taken meanwhile")
                    .isEqualTo(202);
            operator.rollback();
        }
        assertThat(put(sku, "{\"on_hand\": 12}").statusCode()).isEqualTo(200);
    }

    private static void assertBadRequest(HttpResponse<String> response, String field) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(400);
        JsonNode problem = Api.json(response);
        assertThat(problem.get("type").asString()).isEqualTo("urn:orderly:problem:invalid-request");
        assertThat(problem.get("errors").get(0).get("field").asString())
                .as(response.body())
                .isEqualTo(field);
    }

    /** {@code PUT /inventory/{sku}} with the tests' token, which has {@code inventory:write}. */
    private HttpResponse<String> put(String sku, String body) {
        return new Api(port).put("/inventory/" + sku, body);
    }
}
