package dev.orderly.system;

import static org.assertj.core.api.Assertions.assertThat;

import dev.orderly.testsupport.Service;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import tools.jackson.databind.JsonNode;

/**
 * The order journeys of docs/design.md#the-flow through the whole pipeline (order-api, outbox-relay, the three workers, each with
 * only its own rights), as a client sees them over HTTP: priced by the server, charged what it priced.
 */
@ExtendWith(PipelineExtension.class)
class OrderJourneyIntegrationTests {

    private final Pipeline pipeline;
    private final Shop shop;

    OrderJourneyIntegrationTests(Pipeline pipeline) {
        this.pipeline = pipeline;
        this.shop = new Shop(pipeline);
    }

    @Test
    void orderForSeededStockIsShippedWithItsWholeTimeline() {
        // SKU-1 and its price (12.50 EUR) come from the dev profile's seed data, which ./orderly up enables.
        String orderId = shop.place("SKU-1", 2);

        JsonNode order = shop.awaitStatus(orderId, "SHIPPED");

        assertThat(Shop.timeline(order))
                .containsExactly(
                        "order.created → PENDING",
                        "inventory.reserved → RESERVED",
                        "payment.authorized → PAID",
                        "shipment.scheduled → SHIPPED");
        assertThat(order.path("timeline")).allSatisfy(entry -> {
            assertThat(entry.path("event_id").asString()).isNotBlank();
            assertThat(entry.path("occurred_at").asString()).isNotBlank();
        });
        assertThat(order.path("total_cents").asLong()).isEqualTo(2500);
        assertThat(order.path("lines").get(0).path("unit_price_cents").asLong()).isEqualTo(Shop.PRICE_CENTS);
    }

    @Test
    void paymentChargesTheCataloguesPriceAtAcceptanceNotALaterOne() throws SQLException {
        String sku = shop.newSku(10, 777);

        String orderId = shop.place(sku, 3);
        shop.setStock(sku, 10, 999);
        JsonNode order = shop.awaitStatus(orderId, "SHIPPED");

        assertThat(order.path("total_cents").asLong()).isEqualTo(3 * 777);
        assertThat(order.path("lines").get(0).path("unit_price_cents").asLong()).isEqualTo(777);
        try (java.sql.Connection db = pipeline.database(Service.PAYMENT_WORKER);
                PreparedStatement charged = db.prepareStatement(
                        "SELECT amount_cents, currency FROM payments.payments WHERE order_id = ?::uuid")) {
            charged.setString(1, orderId);
            try (ResultSet payment = charged.executeQuery()) {
                assertThat(payment.next()).as("a payment for " + orderId).isTrue();
                assertThat(payment.getLong("amount_cents")).isEqualTo(3 * 777);
                assertThat(payment.getString("currency")).isEqualTo("EUR");
            }
        }
    }

    @Test
    void shippedOrderTakesItsStockForGood() {
        String sku = shop.newSku(10);

        shop.awaitStatus(shop.place(sku, 3), "SHIPPED");

        JsonNode stock = shop.stock(sku);
        assertThat(stock.path("on_hand").asInt()).isEqualTo(7);
        assertThat(stock.path("reserved").asInt()).isZero();
    }

    @Test
    void orderForUnknownSkuIsRefusedAtIntakeAndStoresNothing() throws SQLException {
        String sku = "SYS-UNKNOWN-" + UUID.randomUUID();

        Http.Answer answer = shop.post(sku, 1);

        assertThat(answer.status()).as("POST /orders: %s", answer).isEqualTo(422);
        assertThat(answer.body().path("type").asString()).isEqualTo("urn:orderly:problem:unknown-sku");
        assertThat(answer.body().path("errors").get(0).path("field").asString()).isEqualTo("lines[0].sku");
        try (java.sql.Connection db = pipeline.database(Service.ORDER_API);
                PreparedStatement orders =
                        db.prepareStatement("SELECT count(*) FROM orders.order_lines WHERE sku = ?")) {
            orders.setString(1, sku);
            try (ResultSet count = orders.executeQuery()) {
                count.next();
                assertThat(count.getLong(1)).as("order lines for " + sku).isZero();
            }
        }
    }

    @Test
    void orderForSkuWithoutStockIsRejectedAndHoldsNothing() {
        String sku = shop.newSku(5);
        shop.setStock(sku, 0);

        JsonNode order = shop.awaitStatus(shop.place(sku, 1), "REJECTED");

        assertThat(Shop.timeline(order)).containsExactly("order.created → PENDING", "inventory.rejected → REJECTED");
        assertThat(order.path("timeline").get(1).path("detail").asString()).contains(sku);
        assertThat(shop.stock(sku).path("reserved").asInt()).isZero();
    }

    @Test
    void declinedPaymentCancelsTheOrderAndReleasesItsStock() {
        String sku = shop.newSku(5);
        JsonNode before = shop.stock(sku);

        // The payment gateway simulator declines every customer whose id starts with "decline-": the decline-demo
        // client's orders are its customer's.
        Shop declining = shop.declining();
        JsonNode order = declining.awaitStatus(declining.place(sku, 2), "CANCELLED");

        assertThat(Shop.timeline(order))
                .containsExactly(
                        "order.created → PENDING", "inventory.reserved → RESERVED", "payment.declined → CANCELLED");
        JsonNode after = shop.stock(sku);
        assertThat(after.path("on_hand").asInt())
                .isEqualTo(before.path("on_hand").asInt());
        assertThat(after.path("reserved").asInt()).isZero();
        assertThat(after.path("available").asInt())
                .isEqualTo(before.path("available").asInt());
    }
}
