package dev.orderly.api.inventory;

import static org.assertj.core.api.Assertions.assertThat;

import dev.orderly.api.Api;
import dev.orderly.testsupport.OrderlyInfrastructure;
import dev.orderly.testsupport.RealInfrastructure;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;

/** GET and PUT /inventory/{sku} read and set stock, and never set it below what is reserved. */
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
        put(sku, "{\"on_hand\": 10}");
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
            assertThat(new Api(port)
                            .postOrder(Api.order("c-lock", "SKU-1", 1, 100))
                            .statusCode())
                    .as("orders are taken meanwhile")
                    .isEqualTo(202);
            operator.rollback();
        }
        assertThat(put(sku, "{\"on_hand\": 12}").statusCode()).isEqualTo(200);
    }

    private HttpResponse<String> put(String sku, String body) throws Exception {
        return HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/inventory/" + sku))
                                .timeout(Duration.ofSeconds(30))
                                .header("Content-Type", "application/json")
                                .PUT(HttpRequest.BodyPublishers.ofString(body))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
    }
}
