package dev.orderly.system;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import tools.jackson.databind.JsonNode;

/**
 * The order journeys of docs/design.md#the-flow through the whole pipeline (order-api, outbox-relay, the three workers, each with
 * only its own rights), as a client sees them over HTTP.
 */
@ExtendWith(PipelineExtension.class)
class OrderJourneyIntegrationTests {

    private final Shop shop;

    OrderJourneyIntegrationTests(Pipeline pipeline) {
        this.shop = new Shop(pipeline);
    }

    @Test
    void orderForSeededStockIsShippedWithItsWholeTimeline() {
        // SKU-1 comes from the dev profile's seed data, which ./orderly up enables.
        String orderId = shop.place("c-" + UUID.randomUUID(), "SKU-1", 2);

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
    }

    @Test
    void shippedOrderTakesItsStockForGood() {
        String sku = shop.newSku(10);

        shop.awaitStatus(shop.place("c-" + UUID.randomUUID(), sku, 3), "SHIPPED");

        JsonNode stock = shop.stock(sku);
        assertThat(stock.path("on_hand").asInt()).isEqualTo(7);
        assertThat(stock.path("reserved").asInt()).isZero();
    }

    @Test
    void orderForUnknownSkuIsRejected() {
        String orderId = shop.place("c-" + UUID.randomUUID(), "SYS-UNKNOWN-" + UUID.randomUUID(), 1);

        JsonNode order = shop.awaitStatus(orderId, "REJECTED");

        assertThat(Shop.timeline(order)).containsExactly("order.created → PENDING", "inventory.rejected → REJECTED");
    }

    @Test
    void orderForSkuWithoutStockIsRejectedAndHoldsNothing() {
        String sku = shop.newSku(5);
        shop.setStock(sku, 0);

        JsonNode order = shop.awaitStatus(shop.place("c-" + UUID.randomUUID(), sku, 1), "REJECTED");

        assertThat(Shop.timeline(order)).containsExactly("order.created → PENDING", "inventory.rejected → REJECTED");
        assertThat(order.path("timeline").get(1).path("detail").asString()).contains(sku);
        assertThat(shop.stock(sku).path("reserved").asInt()).isZero();
    }

    @Test
    void declinedPaymentCancelsTheOrderAndReleasesItsStock() {
        String sku = shop.newSku(5);
        JsonNode before = shop.stock(sku);

        // The payment gateway simulator declines every customer whose id starts with "decline-".
        JsonNode order = shop.awaitStatus(shop.place("decline-" + UUID.randomUUID(), sku, 2), "CANCELLED");

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
